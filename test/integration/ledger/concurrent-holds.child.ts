/**
 * Child process of concurrency.test.ts: opens the test database by URL, waits for "go" on stdin,
 * then fires `count` hold(+settle) attempts at one wallet at once and prints a JSON summary.
 */
import { createInterface } from 'node:readline';
import { openDatabase } from '../../../src/db/client.ts';
import { createLedger } from '../../../src/ledger/ledger-service.ts';

const [url, walletId, countText, amountText, tag] = process.argv.slice(2);
const count = Number.parseInt(countText!, 10);
const amount = BigInt(amountText!);
const database = await openDatabase({ url: url!, poolSize: 16 });
const ledger = createLedger({ db: database.prisma });
await database.ping();
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
rl.close();

const outcomes = await Promise.all(
  Array.from({ length: count }, async (_, i) => {
    try {
      const h = await ledger.hold({
        walletId: walletId!,
        amountNanos: amount,
        idempotencyKey: `${tag}-${i}`,
      });
      await ledger.settle({ holdId: h.holdId, actualNanos: amount - BigInt(i % 3) });
      return 'ok';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  }),
);
const summary: Record<string, number> = {};
for (const o of outcomes) summary[o] = (summary[o] ?? 0) + 1;
process.stdout.write(`${JSON.stringify(summary)}\n`);
await database.close();
