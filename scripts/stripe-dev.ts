/**
 * A local Stripe for trying top-ups without a Stripe account (docs/payments.md, "Trying a top-up
 * locally"): `npx tsx scripts/stripe-dev.ts`. Development only: the gateway refuses STRIPE_API_BASE
 * when NODE_ENV=production.
 *
 *   STRIPE_DEV_PORT  the double's port (default 12111); the pay endpoint uses the next one
 *   TOLLGATE_URL     where the gateway listens (default http://127.0.0.1:8080)
 */
import { startStripeDev } from '../test/doubles/stripe/dev-server.ts';

const port = Number(process.env.STRIPE_DEV_PORT ?? 12111);
const gatewayUrl = process.env.TOLLGATE_URL ?? 'http://127.0.0.1:8080';
const dev = await startStripeDev({ gatewayUrl, port });

process.stdout.write(
  [
    `Local Stripe double on ${dev.apiBase}; webhooks go to ${gatewayUrl}/webhooks/stripe.`,
    'Start the gateway with (development only):',
    '',
    ...Object.entries(dev.env).map(([k, v]) => `  ${k}=${v}`),
    '',
    'Pay a top-up (the payment.providerTxnId that createTopUp returned):',
    `  curl -X POST ${dev.payUrl}/pi_...            # pm_card_visa`,
    `  curl -X POST '${dev.payUrl}/pi_...?card=pm_card_chargeDeclined'`,
    'Ctrl-C stops it (its state lives in memory only).',
    '',
  ].join('\n'),
);

const stop = () => {
  dev.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
