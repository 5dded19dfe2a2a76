import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/lib/errors.ts';

describe('the local Stripe dev mode (STRIPE_API_BASE)', () => {
  const production = {
    NODE_ENV: 'production',
    TOLLGATE_ADMIN_TOKEN: randomBytes(32).toString('base64url'),
  };

  it('refuses to boot with STRIPE_API_BASE when NODE_ENV=production, naming the variable', () => {
    const env = { ...production, STRIPE_API_BASE: 'http://127.0.0.1:12111' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/STRIPE_API_BASE: .*NODE_ENV=production/);
  });

  it('is allowed in development and test', () => {
    for (const NODE_ENV of ['development', 'test'])
      expect(loadConfig({ NODE_ENV, STRIPE_API_BASE: 'http://127.0.0.1:12111' }).STRIPE_API_BASE).toBe(
        'http://127.0.0.1:12111',
      );
  });
});
