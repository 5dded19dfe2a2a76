import { runPaymentProviderContract } from './contract.ts';
import { makeStripeHarness } from './stripe-harness.ts';

// Every registered provider runs the shared contract; Stripe runs it in both of its modes.
runPaymentProviderContract('stripe (PaymentIntent + Payment Element)', () =>
  makeStripeHarness('payment_intent'),
);
runPaymentProviderContract('stripe (Checkout Session)', () => makeStripeHarness('checkout_session'));
