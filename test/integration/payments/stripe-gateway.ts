import type { App } from '../../../src/app.ts';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret } from '../../doubles/stripe/signing.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

/** Relay global id → database id. */
export const dbId = (globalId: string) =>
  Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');

/** 1 USD minor unit (cent) in wallet nano-units. */
export const CENT = 10_000_000n;

export interface StripeGateway {
  db: TestDatabase;
  stripe: StripeDouble;
  t: TestApp;
  /** The bootstrap owner's API key. */
  key: string;
  organizationId: string;
  webhookSecret: string;
  /** Delivers every webhook sent so far and lets the outbox worker apply what they stored. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Webhooks are acknowledged once stored and applied by the outbox worker (off in tests): deliver
 * what Stripe has sent, then drain the worker, until neither has anything left.
 */
export async function settleWebhooks(stripe: StripeDouble, app: App): Promise<void> {
  for (;;) {
    await stripe.webhooks.flush();
    if ((await app.services.outbox.drain()) === 0) return;
  }
}

/**
 * The gateway on a fresh PostgreSQL database with Stripe as its payment provider, pointed at a
 * Stripe double whose webhooks come back to the gateway, and one bootstrapped organization.
 */
export async function startStripeGateway(opts: {
  name: string;
  org: string;
  email: string;
  env?: Record<string, string>;
}): Promise<StripeGateway> {
  const apiKey = `sk_test_tollgate_${opts.name}`;
  const webhookSecret = newWebhookSecret();
  const db = await openTestDatabase('postgres');
  const stripe = await StripeDouble.start({ apiKeys: [apiKey], webhookSecrets: [webhookSecret] });
  const t = await startTestApp(db, {
    env: {
      PAYMENT_PROVIDERS: 'stripe',
      STRIPE_SECRET_KEY: apiKey,
      STRIPE_PUBLISHABLE_KEY: `pk_test_${opts.name}`,
      STRIPE_WEBHOOK_SECRETS: webhookSecret,
      STRIPE_API_BASE: stripe.baseUrl,
      PAYMENT_RETURN_URL: 'http://127.0.0.1/pay/return',
      PUBLIC_BASE_URL: 'http://tollgate.test',
      ...opts.env,
    },
  });
  stripe.webhooks.url = `${t.url}/webhooks/stripe`;
  const boot = await bootstrap(t.app.services, { org: opts.org, email: opts.email });
  return {
    db,
    stripe,
    t,
    key: boot.apiKey,
    organizationId: boot.organizationId,
    webhookSecret,
    settle: () => settleWebhooks(stripe, t.app),
    async close() {
      await t.close();
      await stripe.close();
      await db.close();
    },
  };
}
