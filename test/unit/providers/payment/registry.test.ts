import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import { createPaymentProviders, getPaymentProvider } from '../../../../src/providers/payment/registry.ts';

const env = {
  PAYMENT_PROVIDERS: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_abc',
  STRIPE_WEBHOOK_SECRETS: 'whsec_new, whsec_old',
};

describe('payment provider registry', () => {
  it('builds the providers listed in PAYMENT_PROVIDERS from validated config', () => {
    const providers = createPaymentProviders(loadConfig(env));
    expect([...providers.keys()]).toEqual(['stripe']);
    expect(getPaymentProvider(providers, 'stripe').id).toBe('stripe');
  });

  it('builds nothing when no provider is enabled', () => {
    expect(createPaymentProviders(loadConfig({})).size).toBe(0);
  });

  it('fails fast naming the variable when a provider option is invalid', () => {
    expect(() => createPaymentProviders(loadConfig({ ...env, STRIPE_SECRET_KEY: 'pk_test_abc' }))).toThrow(
      /STRIPE_SECRET_KEY: must be a Stripe secret/,
    );
    expect(() => createPaymentProviders(loadConfig({ ...env, STRIPE_WEBHOOK_SECRETS: '' }))).toThrow(
      /STRIPE_WEBHOOK_SECRETS: at least one webhook signing secret/,
    );
    expect(() => createPaymentProviders(loadConfig({ ...env, STRIPE_WEBHOOK_SECRETS: 'nope' }))).toThrow(
      /STRIPE_WEBHOOK_SECRETS: each secret must start with whsec_/,
    );
  });

  it('rejects an unknown provider id with UNKNOWN_PROVIDER', () => {
    expect(() => createPaymentProviders(loadConfig({ ...env, PAYMENT_PROVIDERS: 'stripe,paypal' }))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }),
    );
    expect(() => getPaymentProvider(createPaymentProviders(loadConfig(env)), 'alipay')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }),
    );
  });

  it('rejects a malformed checkout mode at config load', () => {
    expect(() => loadConfig({ ...env, STRIPE_CHECKOUT_MODE: 'hosted' })).toThrow(/STRIPE_CHECKOUT_MODE/);
  });
});
