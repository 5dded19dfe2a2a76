import { describe, expect, it } from 'vitest';
import {
  ALL_KEY_LIMIT_FIELDS,
  type KeyLimits,
  KeyLimitsWiderError,
  requireWithinLimits,
} from '../../../src/identity/key-limits.ts';

const caller: KeyLimits = {
  scopes: ['inference', 'read', 'manage'],
  modelAllowlist: ['gpt-4o-mini', 'claude-*'],
  budgetNanos: 1000n,
  budgetCurrency: 'USD',
  dailyCapNanos: 100n,
  rpmLimit: 10,
  tpmLimit: 1000,
  expiresAt: new Date('2027-01-01T00:00:00Z'),
};
const unlimited: KeyLimits = {
  scopes: ['inference', 'read', 'manage', 'billing'],
  modelAllowlist: [],
  budgetNanos: null,
  budgetCurrency: null,
  dailyCapNanos: null,
  rpmLimit: null,
  tpmLimit: null,
  expiresAt: null,
};

const wider = (proposed: Partial<KeyLimits>, bound = caller) => {
  try {
    requireWithinLimits(bound, { ...caller, ...proposed }, ALL_KEY_LIMIT_FIELDS);
    return null;
  } catch (err) {
    if (err instanceof KeyLimitsWiderError) return err.param;
    throw err;
  }
};

describe('requireWithinLimits', () => {
  it('accepts the caller’s own limits and anything narrower', () => {
    expect(wider({})).toBeNull();
    expect(
      wider({
        scopes: ['inference'],
        modelAllowlist: ['claude-3-haiku', 'gpt-4o-mini'],
        budgetNanos: 1n,
        dailyCapNanos: 0n,
        rpmLimit: 1,
        tpmLimit: 1,
        expiresAt: new Date('2026-12-31T00:00:00Z'),
      }),
    ).toBeNull();
  });

  it.each([
    ['scopes', { scopes: ['billing'] }],
    ['modelAllowlist', { modelAllowlist: [] }],
    ['modelAllowlist', { modelAllowlist: ['gpt-4o'] }],
    ['modelAllowlist', { modelAllowlist: ['claude-3*'] }],
    ['budgetNanos', { budgetNanos: null }],
    ['budgetNanos', { budgetNanos: 1001n }],
    ['budgetNanos', { budgetCurrency: 'EUR' }],
    ['dailyCapNanos', { dailyCapNanos: null }],
    ['rpmLimit', { rpmLimit: 11 }],
    ['tpmLimit', { tpmLimit: null }],
    ['expiresAt', { expiresAt: null }],
    ['expiresAt', { expiresAt: new Date('2027-01-02T00:00:00Z') }],
  ] as const)('refuses a wider %s', (param, proposed) => {
    expect(wider(proposed as Partial<KeyLimits>)).toBe(param);
  });

  it('puts no bound where the caller has none', () => {
    expect(wider({ ...unlimited, scopes: ['read'] }, { ...unlimited })).toBeNull();
  });

  it('checks only the limits that change', () => {
    expect(() =>
      requireWithinLimits(caller, { ...unlimited, scopes: ['read'] }, new Set(['scopes'])),
    ).not.toThrow();
  });
});
