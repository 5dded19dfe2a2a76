import { newId } from '../../../src/lib/ids.ts';
import type { Db } from '../../../src/db/client.ts';
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
