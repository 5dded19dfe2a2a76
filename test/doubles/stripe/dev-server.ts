import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StripeDouble } from './server.ts';

/**
 * The Stripe double as a local development Stripe, for trying top-ups without a Stripe account
 * (docs/payments.md, "Trying a top-up locally"). The gateway talks to it through `STRIPE_API_BASE`
 * exactly as it talks to Stripe, and it signs its webhooks back to the gateway. Stripe.js cannot
 * talk to it, so the customer's part is a local "pay" endpoint instead of the hosted page.
 * `loadConfig` refuses STRIPE_API_BASE when NODE_ENV=production.
 */
export const DEV_STRIPE_SECRET_KEY = 'sk_test_tollgate_dev_local_only';
export const DEV_STRIPE_PUBLISHABLE_KEY = 'pk_test_tollgate_dev_local_only';
/** Fixed, so a `.env` written once keeps working; it guards nothing but this local double. */
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_tollgate_dev_local_only';

export interface StripeDev {
  readonly stripe: StripeDouble;
  /** `STRIPE_API_BASE` for the gateway. */
  readonly apiBase: string;
  /** `POST <payUrl>/<pi_… or cs_…>?card=pm_card_visa` pays a top-up as its customer would. */
  readonly payUrl: string;
  /** The variables to give the gateway. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startStripeDev(opts: {
  /** Where the gateway listens, e.g. http://127.0.0.1:8080 (webhooks go to /webhooks/stripe). */
  gatewayUrl: string;
  /** The double's port; the pay endpoint listens on the next one. 0: free ports (tests). */
  port: number;
}): Promise<StripeDev> {
  const stripe = await StripeDouble.start({
    apiKeys: [DEV_STRIPE_SECRET_KEY],
    webhookSecrets: [DEV_STRIPE_WEBHOOK_SECRET],
    webhookUrl: `${opts.gatewayUrl.replace(/\/$/, '')}/webhooks/stripe`,
    port: opts.port,
  });
  // Stripe retries for days; a developer restarting the gateway should not lose an event either.
  stripe.webhooks.switches.maxAttempts = 8;
  stripe.webhooks.switches.retryBackoffMs = 500;
  const pay: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = decodeURIComponent(url.pathname.slice(1));
    const card = url.searchParams.get('card') ?? 'pm_card_visa';
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    if (req.method !== 'POST' || !/^(pi|cs)_\w+$/.test(id))
      return answer(404, { error: 'POST /<pi_… or cs_…>?card=pm_card_visa (or pm_card_chargeDeclined, …)' });
    try {
      const paid = id.startsWith('cs_')
        ? stripe.customerPaysCheckout(id, card)
        : stripe.customerPays(id, card);
      answer(200, { id: paid.id, status: paid.status, last_payment_error: paid.last_payment_error ?? null });
    } catch (e) {
      answer(409, { error: e instanceof Error ? e.message : String(e) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    pay.once('error', reject);
    pay.listen(opts.port === 0 ? 0 : opts.port + 1, '127.0.0.1', resolve);
  });
  const payUrl = `http://127.0.0.1:${(pay.address() as AddressInfo).port}`;
  return {
    stripe,
    apiBase: stripe.baseUrl,
    payUrl,
    env: {
      PAYMENT_PROVIDERS: 'stripe',
      STRIPE_API_BASE: stripe.baseUrl,
      STRIPE_SECRET_KEY: DEV_STRIPE_SECRET_KEY,
      STRIPE_PUBLISHABLE_KEY: DEV_STRIPE_PUBLISHABLE_KEY,
      STRIPE_WEBHOOK_SECRETS: DEV_STRIPE_WEBHOOK_SECRET,
    },
    async close() {
      pay.closeAllConnections();
      await new Promise<void>((resolve) => pay.close(() => resolve()));
      await stripe.close();
    },
  };
}
