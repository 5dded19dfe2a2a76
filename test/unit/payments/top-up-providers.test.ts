import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/lib/errors.ts';
import type { PaymentsDeps } from '../../../src/payments/deps.ts';
import { topUpProvider } from '../../../src/payments/top-ups.ts';
import { ProviderNotOfferedError, parseTopUpProviders } from '../../../src/payments/top-up-providers.ts';
import type { PaymentProvider } from '../../../src/providers/payment/types.ts';

const enabled = ['stripe', 'alipay'];
const depsWith = (offers: string | undefined) =>
  ({
    providers: new Map(enabled.map((id) => [id, { id } as PaymentProvider])),
    topUpProviders: parseTopUpProviders(offers, enabled),
  }) as Pick<PaymentsDeps, 'providers' | 'topUpProviders'>;

describe('TOP_UP_PROVIDERS: which providers a currency offers', () => {
  it('reads currency=provider+provider lists, upper-cases currencies and keeps the operator order', () => {
    const offers = parseTopUpProviders(' cny=alipay+stripe , USD=stripe', enabled);
    expect([...offers]).toEqual([
      ['CNY', ['alipay', 'stripe']],
      ['USD', ['stripe']],
    ]);
    expect(parseTopUpProviders(undefined, enabled).size).toBe(0);
  });

  it('refuses at start a provider not enabled, a currency twice, an unknown currency or a malformed entry', () => {
    for (const bad of [
      'CNY=wechat',
      'CNY=alipay,CNY=stripe',
      'XXX=stripe',
      'CNY',
      'CNY=',
      '=stripe',
      'CNY=alipay=x',
    ])
      expect(() => parseTopUpProviders(bad, enabled), bad).toThrow(
        expect.objectContaining({ param: 'TOP_UP_PROVIDERS' }),
      );
    expect(() => parseTopUpProviders('CNY=wechat', enabled)).toThrow(ValidationError);
  });

  it('takes the first offered provider when the top-up names none, and every enabled one for an unlisted currency', () => {
    const deps = depsWith('CNY=alipay+stripe,USD=stripe');
    expect(topUpProvider(deps, 'CNY', undefined).id).toBe('alipay');
    expect(topUpProvider(deps, 'CNY', 'stripe').id).toBe('stripe');
    expect(topUpProvider(deps, 'USD', undefined).id).toBe('stripe');
    expect(topUpProvider(deps, 'EUR', 'alipay').id).toBe('alipay');
    expect(topUpProvider(depsWith(undefined), 'CNY', undefined).id).toBe('stripe');
  });

  it('refuses a provider the operator does not offer for the currency with PROVIDER_NOT_OFFERED, and an unknown one with UNKNOWN_PROVIDER', () => {
    const deps = depsWith('USD=stripe');
    expect(() => topUpProvider(deps, 'USD', 'alipay')).toThrow(ProviderNotOfferedError);
    expect(() => topUpProvider(deps, 'USD', 'alipay')).toThrow(
      expect.objectContaining({ code: 'PROVIDER_NOT_OFFERED', param: 'provider' }),
    );
    expect(() => topUpProvider(deps, 'USD', 'paypal')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }),
    );
  });
});
