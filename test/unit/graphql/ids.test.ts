import { describe, expect, it } from 'vitest';
import { UnknownIdError, decodeId, parseGlobalId } from '../../../src/graphql/ids.ts';
import { NotFoundError } from '../../../src/lib/errors.ts';

const gid = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

describe('decodeId: the one decoder for id arguments', () => {
  it('takes a raw id with the type prefix or a global id of the type', () => {
    expect(decodeId('org_01', 'Organization')).toBe('org_01');
    expect(decodeId(gid('Organization', 'org_01'), 'Organization')).toBe('org_01');
    expect(decodeId(gid('PriceRule', 'price_1'), 'PriceRule')).toBe('price_1');
    expect(decodeId('passign_9', 'PlanAssignment')).toBe('passign_9');
  });

  it.each([
    // Former wallet/payments/usage decoder (rawId) passed these through to the database unchanged.
    ['a raw id without the prefix (rawId passed it on)', 'anything-at-all', 'Wallet'],
    ['another type’s raw id (rawId passed it on)', 'org_01', 'Payment'],
    ['another type’s global id (rawId passed the base64 on)', gid('Team', 'team_1'), 'Organization'],
    // Former identity decoder (decodeId) and pricing/plans decoder (ownId).
    ['a garbled global id', '%%%not-base64%%%', 'Organization'],
    ['a global id with an empty id', gid('ApiKey', ''), 'ApiKey'],
    ['a non-canonical global id (padding dropped)', gid('Plan', 'plan_1').replace(/=+$/, ''), 'Plan'],
    ['a global id of a plan given as a price rule (ownId)', gid('Plan', 'plan_1'), 'PriceRule'],
    ['a numeric id', 42, 'User'],
    ['an empty string', '', 'Team'],
  ] as const)('refuses %s with a typed NOT_FOUND', (_what, value, typename) => {
    let error: unknown;
    try {
      decodeId(value, typename);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownIdError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('NOT_FOUND');
  });

  it('keeps the message short for a huge id', () => {
    expect(() => decodeId('x'.repeat(10_000), 'Wallet')).toThrow(/^Wallet 'x{128}' not found$/);
  });
});

describe('parseGlobalId', () => {
  it('decodes exactly the canonical form', () => {
    expect(parseGlobalId(gid('Wallet', 'wal_1:extra'))).toEqual({ typename: 'Wallet', id: 'wal_1:extra' });
    expect(parseGlobalId(`${gid('Wallet', 'wal_1')}\n`)).toBeNull();
    expect(parseGlobalId(gid('1Bad', 'x'))).toBeNull();
    expect(parseGlobalId(gid('', 'x'))).toBeNull();
  });
});
