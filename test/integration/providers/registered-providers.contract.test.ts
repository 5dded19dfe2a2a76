import { describe, expect, it } from 'vitest';
import { knownPaymentProviderIds, type PaymentProviderId } from '../../../src/providers/payment/registry.ts';
import { ALIPAY_CAPABILITIES, makeAlipayHarness } from './alipay-harness.ts';
import type { ProviderCapabilities } from './capabilities.ts';
import { type ProviderTestHarness, runPaymentProviderContract } from './contract.ts';
import { makeStripeHarness } from './stripe-harness.ts';

/**
 * Every registered provider runs the shared contract. Keyed by the registry's id union, so adding a
 * provider to `registry.ts` without a harness here does not compile.
 */
const harnesses: Record<
  PaymentProviderId,
  ReadonlyArray<[string, () => Promise<ProviderTestHarness>, ProviderCapabilities?]>
> = {
  alipay: [['alipay (precreate QR code)', makeAlipayHarness, ALIPAY_CAPABILITIES]],
  stripe: [
    ['stripe (PaymentIntent + Payment Element)', () => makeStripeHarness('payment_intent')],
    ['stripe (Checkout Session)', () => makeStripeHarness('checkout_session')],
  ],
};

describe('registered payment providers', () => {
  it('each have a contract harness', () => {
    for (const id of knownPaymentProviderIds) expect(harnesses[id]?.length ?? 0).toBeGreaterThan(0);
  });
});

for (const id of knownPaymentProviderIds) {
  for (const [name, make, caps] of harnesses[id]) runPaymentProviderContract(name, make, caps);
}
