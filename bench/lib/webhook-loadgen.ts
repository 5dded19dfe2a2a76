/**
 * The webhook bench's sender, in its own process so the signing and the client side of every
 * exchange are not counted as the gateway's CPU. Over IPC it takes `{ url, secret, concurrency,
 * deliveries }`, POSTs each body signed as Stripe signs (timestamp at send), `concurrency` at a
 * time on keep-alive connections, and answers `{ latencies (ms), statuses, elapsedMs }`.
 */
import { Agent, request } from 'undici';
import { stripeSignatureHeader } from '../../test/doubles/stripe/signing.ts';

interface Job {
  url: string;
  secret: string;
  concurrency: number;
  deliveries: string[];
}

process.on('message', (job: Job) => {
  void run(job).then((result) => process.send!(result));
});
process.on('disconnect', () => process.exit(0));

async function run({ url, secret, concurrency, deliveries }: Job) {
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, deliveries.length) }, async () => {
      while (next < deliveries.length) {
        const body = deliveries[next++]!;
        const t0 = performance.now();
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'stripe-signature': stripeSignatureHeader({
              payload: body,
              secrets: [secret],
              timestampSeconds: Math.floor(Date.now() / 1000),
            }),
          },
          body,
        });
        await res.body.dump();
        latencies.push(performance.now() - t0);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  await agent.close();
  return { latencies, statuses, elapsedMs };
}
