import type { Db } from '../db/client.ts';
import type { AccountMismatch, ConsistencyReport, UnbalancedTransaction, WalletMismatch } from './types.ts';

/**
 * Proves the caches: for every wallet, balance == its account's balance == sum(entries) and
 * held == sum(active holds); for every account, balance == sum(entries); every transaction's
 * entries sum to zero per currency. Healthy = all lists empty.
 */
export async function checkConsistency(db: Db): Promise<ConsistencyReport> {
  const walletMismatches = await db.$queryRaw<WalletMismatch[]>`
    SELECT w.id AS "walletId", w.currency, w."balanceNanos", a."balanceNanos" AS "accountBalanceNanos",
           COALESCE(e.sum, 0)::bigint AS "entriesSumNanos", w."heldNanos",
           COALESCE(h.sum, 0)::bigint AS "activeHoldsSumNanos"
      FROM wallets w
      LEFT JOIN ledger_accounts a ON a.id = 'wallet:' || w.id
      LEFT JOIN (SELECT "accountId", sum("amountNanos") AS sum FROM ledger_entries GROUP BY "accountId") e
             ON e."accountId" = 'wallet:' || w.id
      LEFT JOIN (SELECT "walletId", sum("amountNanos") AS sum FROM holds WHERE status = 'active' GROUP BY "walletId") h
             ON h."walletId" = w.id
     WHERE a.id IS NULL OR w."balanceNanos" <> a."balanceNanos" OR w."balanceNanos" <> COALESCE(e.sum, 0)
        OR w."heldNanos" <> COALESCE(h.sum, 0)
     ORDER BY w.id`;
  const accountMismatches = await db.$queryRaw<AccountMismatch[]>`
    SELECT a.id AS "accountId", a."balanceNanos", COALESCE(e.sum, 0)::bigint AS "entriesSumNanos"
      FROM ledger_accounts a
      LEFT JOIN (SELECT "accountId", sum("amountNanos") AS sum FROM ledger_entries GROUP BY "accountId") e
             ON e."accountId" = a.id
     WHERE a."balanceNanos" <> COALESCE(e.sum, 0)
     ORDER BY a.id`;
  const unbalancedTransactions = await db.$queryRaw<UnbalancedTransaction[]>`
    SELECT t.id AS "transactionId", COALESCE(e.currency, '') AS currency, COALESCE(sum(e."amountNanos"), 0)::bigint AS "sumNanos"
      FROM ledger_transactions t LEFT JOIN ledger_entries e ON e."transactionId" = t.id
     GROUP BY t.id, e.currency
    HAVING COALESCE(sum(e."amountNanos"), 0) <> 0 OR count(e.id) < 2
     ORDER BY t.id`;
  const [counts] = await db.$queryRaw<{ wallets: bigint; transactions: bigint }[]>`
    SELECT (SELECT count(*) FROM wallets) AS wallets, (SELECT count(*) FROM ledger_transactions) AS transactions`;
  return {
    ok: walletMismatches.length + accountMismatches.length + unbalancedTransactions.length === 0,
    walletsChecked: Number(counts?.wallets ?? 0n),
    transactionsChecked: Number(counts?.transactions ?? 0n),
    walletMismatches,
    accountMismatches,
    unbalancedTransactions,
  };
}
