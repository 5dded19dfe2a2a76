import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/lib/errors.ts';

describe('configuration', () => {
  it('has working defaults for the embedded single-node mode', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.TOLLGATE_DATA_DIR).toBe('./data');
    expect(c.MIGRATE_ON_START).toBe(true);
  });

  it('stops on a malformed variable with a message naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: must be an integer/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'nope' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ MIGRATE_ON_START: 'maybe' })).toThrow(/MIGRATE_ON_START/);
  });

  it('refuses to start in production with a short or repetitive admin token, naming the variable', () => {
    const prod = (token: string) => () => loadConfig({ NODE_ENV: 'production', TOLLGATE_ADMIN_TOKEN: token });
    expect(prod('change-me-change-me')).toThrow(/TOLLGATE_ADMIN_TOKEN: in production it must be at least 32/);
    expect(prod('ab'.repeat(20))).toThrow(/TOLLGATE_ADMIN_TOKEN/);
    expect(prod('Vq3xT9pLmZ2rK8wYcN4bH7jD5fG1sA6e')().TOLLGATE_ADMIN_TOKEN).toHaveLength(32);
    expect(loadConfig({ NODE_ENV: 'development', TOLLGATE_ADMIN_TOKEN: 'change-me-change-me' })).toBeTruthy();
  });

  it('refuses a CORS origin that is not scheme://host[:port]', () => {
    expect(() => loadConfig({ GRAPHQL_CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(
      /GRAPHQL_CORS_ORIGINS/,
    );
    expect(
      loadConfig({ GRAPHQL_CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' })
        .GRAPHQL_CORS_ORIGINS,
    ).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it('documents every variable in docs/configuration.md and .env.example', () => {
    const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const missing = Object.keys(envSchema.shape).filter(
      (k) => !docs.includes(`\`${k}\``) || !new RegExp(`^#? ?${k}=`, 'm').test(example),
    );
    expect(missing).toEqual([]);
  });
});
