import { describe, expect, it } from 'vitest';
import {
  customerExternalId,
  minorToCredits,
  nanosToPreciseCents,
  planCodeFor,
  subscriptionExternalId,
} from '../../../../src/integrations/lago/mapping.ts';
import { nanosToMajorDecimal, toDecimalString } from '../../../../src/lib/money.ts';
import { buildUsageEvent } from '../../../../src/integrations/lago/usage.ts';

describe('Lago mapping', () => {
  it('names one Lago customer per billing owner and currency, with a deterministic subscription', () => {
    const ext = customerExternalId({ ownerType: 'team', ownerId: 'team_1', currency: 'eur' });
    expect(ext).toBe('team:team_1:EUR');
    expect(subscriptionExternalId(ext)).toBe('team:team_1:EUR:usage');
    expect(planCodeFor('tollgate_usage_{currency}', 'EUR')).toBe('tollgate_usage_eur');
  });

  it('converts nano-units and minor units to exact decimal strings', () => {
    expect(toDecimalString(0n, 9)).toBe('0');
    expect(toDecimalString(-1500n, 3)).toBe('-1.5');
    expect(nanosToMajorDecimal(1n)).toBe('0.000000001');
    expect(nanosToMajorDecimal(123_456_789_012_345_678n)).toBe('123456789.012345678');
    expect(nanosToPreciseCents(123_456_789n, 'USD')).toBe('12.3456789');
    expect(nanosToPreciseCents(1_500_000_000n, 'JPY')).toBe('1.5');
    expect(minorToCredits(2_550n, 'EUR')).toBe('25.5');
    expect(minorToCredits(1_000n, 'JPY')).toBe('1000');
  });

  it('builds one usage event per record keyed by the request id', () => {
    const event = buildUsageEvent(
      {
        requestId: 'req_1',
        modelRequested: 'gpt-4o',
        modelServed: null,
        promptTokens: 1_000,
        completionTokens: 250,
        costNanos: 7_500_000n,
        currency: 'USD',
        createdAt: new Date('2026-11-24T10:00:00.900Z'),
      },
      'user:u:USD:usage',
      'llm_usage',
    );
    expect(event).toEqual({
      transaction_id: 'req_1',
      external_subscription_id: 'user:u:USD:usage',
      code: 'llm_usage',
      timestamp: 1_795_514_400,
      precise_total_amount_cents: '0.75',
      properties: {
        model: 'gpt-4o',
        prompt_tokens: '1000',
        completion_tokens: '250',
        total_tokens: '1250',
        cost: '0.0075',
      },
    });
  });
});
