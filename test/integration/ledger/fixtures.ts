import { newId } from '../../../src/lib/ids.ts';
import type { TestDatabase } from '../../helpers/db.ts';
import type { Db } from '../../../src/db/client.ts';
import type { LedgerPublisher } from '../../../src/ledger/ledger-events.ts';
import { createLedger, type LedgerOptions } from '../../../src/ledger/ledger-service.ts';

export const USD = 1_000_000_000n;

export async function createOrganization(db: Db, name = 'Acme') {
  const id = newId('org');
  return db.organization.create({ data: { id, name, slug: `${name.toLowerCase()}-${id.slice(-12)}` } });
}

/** A ledger over `db` with an org wallet in USD, funded by a top-up of `fundNanos` when given. */
export async function walletWithBalance(
  db: Db,
  fundNanos = 0n,
  opts: LedgerOptions & { currency?: string } = {},
) {
  const ledger = createLedger({ ...opts, db });
  const org = await createOrganization(db);
  const wallet = await ledger.ensureWallet({
    organizationId: org.id,
    ownerType: 'organization',
    ownerId: org.id,
    currency: opts.currency ?? 'USD',
  });
  if (fundNanos > 0n)
    await ledger.creditTopUp({
      walletId: wallet.id,
      amountNanos: fundNanos,
      paymentId: `pay_${wallet.id}`,
      idempotencyKey: `fund-${wallet.id}`,
    });
  return { ledger, org, wallet };
}

/** How many transactions, entries and holds exist: a refused call must change none. */
export async function counts(db: TestDatabase) {
  const [transactions, entries, holds] = await Promise.all([
    db.prisma.ledgerTransaction.count(),
    db.prisma.ledgerEntry.count(),
    db.prisma.hold.count(),
  ]);
  return { transactions, entries, holds };
}

/** A publisher that keeps what the ledger published, in order. */
export function recordingPubSub() {
  const events: { channel: string; event: any }[] = [];
  const pubsub: LedgerPublisher = {
    publish: (channel: string, event: unknown) => {
      events.push({ channel, event });
    },
  };
  return { pubsub, events };
}
