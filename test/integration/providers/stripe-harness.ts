import Stripe from 'stripe';
import { createPaymentProviders } from '../../../src/providers/payment/registry.ts';
import type { PaymentProvider } from '../../../src/providers/payment/types.ts';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret, stripeSignatureHeader } from '../../doubles/stripe/signing.ts';
import { startWebhookReceiver } from '../../doubles/stripe/webhook-receiver.ts';
import type { CapturedWebhook, ProviderTestHarness } from './contract.ts';

export const STRIPE_TEST_KEY = 'sk_test_tollgate_contract';
const sdk = new Stripe(STRIPE_TEST_KEY, { telemetry: false });

export function stripeProviderFor(
  double: StripeDouble,
  secrets: string[],
  over: { checkoutMode?: 'payment_intent' | 'checkout_session'; clock?: () => number } = {},
): PaymentProvider {
  const providers = createPaymentProviders(
    {
      PAYMENT_PROVIDERS: ['stripe'],
      PAYMENT_RETURN_URL: 'https://tollgate.test/pay/return',
      STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
      STRIPE_PUBLISHABLE_KEY: undefined,
      STRIPE_WEBHOOK_SECRETS: secrets,
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: 300,
      STRIPE_API_BASE: double.baseUrl,
      STRIPE_CHECKOUT_MODE: over.checkoutMode ?? 'payment_intent',
    },
    over.clock ? { clock: over.clock } : {},
  );
  return providers.get('stripe') as PaymentProvider;
}

export async function makeStripeHarness(
  checkoutMode: 'payment_intent' | 'checkout_session',
): Promise<ProviderTestHarness> {
  const receiver = await startWebhookReceiver();
  const oldSecret = newWebhookSecret();
  const double = await StripeDouble.start({
    apiKeys: [STRIPE_TEST_KEY],
    webhookUrl: receiver.url,
    webhookSecrets: [oldSecret],
  });
  const provider = stripeProviderFor(double, [oldSecret], { checkoutMode });
  let newSecret: string | undefined;

  const resignAt = (w: CapturedWebhook, secrets: string[], timestampSeconds: number): CapturedWebhook => ({
    headers: {
      ...w.headers,
      'stripe-signature': stripeSignatureHeader({ payload: w.rawBody, secrets, timestampSeconds }),
    },
    rawBody: w.rawBody,
  });

  return {
    provider,
    currency: 'USD',
    validAmountMinor: 1500n,
    tooSmallAmountMinor: 49n,
    async customerPays(created, outcome) {
      const pm = outcome === 'success' ? 'pm_card_visa' : 'pm_card_chargeDeclined';
      if (created.providerTxnId.startsWith('cs_')) double.customerPaysCheckout(created.providerTxnId, pm);
      else if (outcome === 'success') double.customerPays(created.providerTxnId, pm);
      else double.customerConfirms(created.providerTxnId, pm);
    },
    async deliveredWebhooks() {
      await double.webhooks.flush();
      return [...receiver.received];
    },
    setDuplicateDelivery(on) {
      double.webhooks.switches.duplicate = on;
    },
    resign(w, how) {
      const now = Math.floor(Date.now() / 1000);
      if (how === 'stale') return resignAt(w, double.webhooks.secrets, now - 301);
      return resignAt(w, [newWebhookSecret()], now);
    },
    tamper(w, change) {
      const event = JSON.parse(w.rawBody.toString('utf8')) as {
        id: string;
        data: { object: Record<string, unknown> };
      };
      const o = event.data.object;
      const isSession = o.object === 'checkout.session';
      if (change.providerTxnId !== undefined) o[isSession ? 'payment_intent' : 'id'] = change.providerTxnId;
      if (change.amountMinor !== undefined)
        for (const k of isSession ? ['amount_total', 'amount_subtotal'] : ['amount', 'amount_received'])
          o[k] = Number(change.amountMinor);
      if (change.currency !== undefined) o.currency = change.currency.toLowerCase();
      event.id = `evt_tampered_${Math.random().toString(36).slice(2)}`;
      const payload = JSON.stringify(event, null, 2);
      // Signed by the real SDK with the endpoint's own secret: the signature is valid.
      const signature = sdk.webhooks.generateTestHeaderString({
        payload,
        secret: double.webhooks.secrets[0]!,
      });
      return { headers: { ...w.headers, 'stripe-signature': signature }, rawBody: Buffer.from(payload) };
    },
    async startSecretRotation() {
      newSecret = newWebhookSecret();
      double.webhooks.rotate(newSecret);
      return stripeProviderFor(double, [newSecret, oldSecret], { checkoutMode });
    },
    finishSecretRotation() {
      double.webhooks.expireOldSecrets();
    },
    async close() {
      await double.close();
      await receiver.close();
    },
  };
}
