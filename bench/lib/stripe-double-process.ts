/**
 * The Stripe double in its own process for the webhook bench, so its work (the API calls of the
 * seeding and of the worker's confirming lookups, the signing) is not counted as the gateway's.
 * Options as JSON in argv[2] (`apiKeys`, `webhookSecrets`); prints `PORT <n>`. Its own webhook
 * sender stays paused: the bench delivers the events itself. Over IPC, `{ pay: pi[] }` has the
 * customer pay each PaymentIntent and answers `{ bodies }`, each one's `payment_intent.succeeded`
 * event as Stripe would send it (pretty-printed JSON).
 */
import { StripeDouble } from '../../test/doubles/stripe/server.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as { apiKeys: string[]; webhookSecrets: string[] };
const stripe = await StripeDouble.start(opts);
stripe.webhooks.switches.paused = true;

process.on('message', (m: { pay?: string[] }) => {
  if (!m.pay) return;
  for (const pi of m.pay) stripe.customerPays(pi, 'pm_card_visa');
  const byPi = new Map(
    stripe.events
      .filter((e) => e.type === 'payment_intent.succeeded')
      .map((e) => [(e.data.object as { id: string }).id, e]),
  );
  process.send!({ bodies: m.pay.map((pi) => JSON.stringify(byPi.get(pi), null, 2)) });
});
process.on('disconnect', () => void stripe.close().then(() => process.exit(0)));
process.stdout.write(`PORT ${stripe.port}\n`);
