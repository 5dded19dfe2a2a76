import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/lib/errors.ts';

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

  it('documents every variable in docs/configuration.md and .env.example', () => {
    const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const missing = Object.keys(envSchema.shape).filter(
      (k) => !docs.includes(`\`${k}\``) || !new RegExp(`^#? ?${k}=`, 'm').test(example),
    );
    expect(missing).toEqual([]);
  });
});
