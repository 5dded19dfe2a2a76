import { Gauge, type Registry } from 'prom-client';
import { LagoApiError, LagoTransportError, lagoCall } from './client.ts';
import type { LagoContext } from './context.ts';
import { findLagoCustomer } from './customers.ts';
import { isBillableUsage } from './handlers.ts';
import { type BillingOwner, customerExternalId } from './mapping.ts';
import { REFUND_METADATA_KEY, TOPUP_METADATA_KEY } from './topups.ts';

export const RECONCILIATION_KINDS = [
  'usage_not_delivered',
  'usage_missing_in_lago',
  'usage_mismatch',
  'topup_missing_in_lago',
  'topup_unsettled_in_lago',
  'refund_missing_in_lago',
] as const;
export type ReconciliationKind = (typeof RECONCILIATION_KINDS)[number];

export interface ReconciliationDifference {
  kind: ReconciliationKind;
  /** Usage: the request id (Lago transaction_id); top-up: payment id; refund: refund id. */
  reference: string;
  detail: string;
}

export interface ReconciliationRow {
  externalCustomerId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  usageRecords: number;
  usageDelivered: number;
  usageChecked: number;
  usageConfirmed: number;
  totalTokens: number;
  costNanos: bigint;
  topUps: number;
  topUpsConfirmed: number;
  refunds: number;
  refundsConfirmed: number;
  differences: ReconciliationDifference[];
}

export interface ReconciliationReport {
  from: Date;
  to: Date;
  rows: ReconciliationRow[];
  differenceCount: number;
  countsByKind: Record<ReconciliationKind, number>;
}

export interface ReconcileOptions {
  from: Date;
  to: Date;
  /** Usage records checked with GET /events/{transaction_id} per customer and day; undefined = all. */
  samplePerDay?: number;
  concurrency?: number;
}

/**
 * Compares, per Lago customer and UTC day, what Tollgate recorded with what Lago acknowledged:
 * each billable usage record must have a delivered outbox row and (all, or a sample per day) an
 * event in Lago under its request id with the same subscription and token count; each succeeded
 * top-up must be a settled inbound wallet transaction carrying its payment id; each succeeded
 * refund must be a voided transaction (or, with credit notes, a synced mapping).
 */
export async function reconcileLago(ctx: LagoContext, opts: ReconcileOptions): Promise<ReconciliationReport> {
  const rows = new Map<string, ReconciliationRow>();
  const rowFor = (ext: string, at: Date) => {
    const day = at.toISOString().slice(0, 10);
    const key = `${ext}\u0000${day}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        externalCustomerId: ext,
        day,
        usageRecords: 0,
        usageDelivered: 0,
        usageChecked: 0,
        usageConfirmed: 0,
        totalTokens: 0,
        costNanos: 0n,
        topUps: 0,
        topUpsConfirmed: 0,
        refunds: 0,
        refundsConfirmed: 0,
        differences: [],
      };
      rows.set(key, row);
    }
    return row;
  };
  const range = { gte: opts.from, lt: opts.to };
  const wallets = new Map<string, { ownerType: string; ownerId: string; currency: string }>();
  const loadWallets = async (ids: (string | null)[]) => {
    const missing = [...new Set(ids.filter((id): id is string => !!id && !wallets.has(id)))];
    if (missing.length === 0) return;
    for (const w of await ctx.db.wallet.findMany({ where: { id: { in: missing } } })) wallets.set(w.id, w);
  };
  const ownerOfWallet = (walletId: string | null): BillingOwner | undefined => {
    const w = walletId ? wallets.get(walletId) : undefined;
    return w ? { ownerType: w.ownerType, ownerId: w.ownerId, currency: w.currency } : undefined;
  };
  const limit = limiter(opts.concurrency ?? 8);

  // ---- usage
  const usage = (
    await ctx.db.usageRecord.findMany({ where: { createdAt: range }, orderBy: { createdAt: 'asc' } })
  ).filter(isBillableUsage);
  await loadWallets(usage.map((u) => u.walletId));
  const delivered = new Set(
    (
      await ctx.db.outboxMessage.findMany({
        where: {
          topic: 'lago.usage',
          status: 'delivered',
          dedupeKey: { in: usage.map((u) => `lago.usage:${u.requestId}`) },
        },
        select: { dedupeKey: true },
      })
    ).map((m) => m.dedupeKey),
  );
  const customers = new Map<string, Awaited<ReturnType<typeof findLagoCustomer>>>();
  const customerOf = async (owner: BillingOwner) => {
    const ext = customerExternalId(owner);
    if (!customers.has(ext)) customers.set(ext, await findLagoCustomer(ctx.db, owner));
    return customers.get(ext);
  };
  const checks: Promise<void>[] = [];
  const sampled = new Map<string, number>();
  for (const u of usage) {
    const owner = ownerOfWallet(u.walletId) ?? { ownerType: 'user', ownerId: u.userId, currency: u.currency };
    const ext = customerExternalId(owner);
    const row = rowFor(ext, u.createdAt);
    const tokens = u.promptTokens + u.completionTokens;
    row.usageRecords++;
    row.totalTokens += tokens;
    row.costNanos += u.costNanos;
    if (delivered.has(`lago.usage:${u.requestId}`)) row.usageDelivered++;
    else
      row.differences.push({
        kind: 'usage_not_delivered',
        reference: u.requestId,
        detail: 'outbox row not delivered',
      });
    const key = `${ext}\u0000${row.day}`;
    const n = sampled.get(key) ?? 0;
    if (opts.samplePerDay !== undefined && n >= opts.samplePerDay) continue;
    sampled.set(key, n + 1);
    const customer = await customerOf(owner);
    checks.push(
      limit(async () => {
        row.usageChecked++;
        const event = await withRetry(() =>
          lagoCall('findEvent', () => ctx.api.events.findEvent(u.requestId)).catch((err) => {
            if (err instanceof LagoApiError && err.lagoStatus === 404) return undefined;
            throw err;
          }),
        );
        if (!event) {
          row.differences.push({
            kind: 'usage_missing_in_lago',
            reference: u.requestId,
            detail: 'no Lago event',
          });
          return;
        }
        const e = (event as any).event;
        if (
          e.external_subscription_id !== customer?.externalSubscriptionId ||
          Number(e.properties?.total_tokens) !== tokens
        ) {
          row.differences.push({
            kind: 'usage_mismatch',
            reference: u.requestId,
            detail: `Lago has subscription ${e.external_subscription_id}, total_tokens ${e.properties?.total_tokens}`,
          });
          return;
        }
        row.usageConfirmed++;
      }),
    );
  }
  await Promise.all(checks);

  // ---- top-ups and refunds, against each customer's Lago wallet transactions
  const payments = await ctx.db.payment.findMany({
    where: { status: 'succeeded', OR: [{ succeededAt: range }, { succeededAt: null, createdAt: range }] },
    include: { order: true },
  });
  const refunds = await ctx.db.refund.findMany({
    where: { status: 'succeeded', updatedAt: range },
    include: { payment: { include: { order: true } } },
  });
  await loadWallets([
    ...payments.map((p) => p.order.walletId),
    ...refunds.map((r) => r.payment.order.walletId),
  ]);
  const transactionsByWallet = new Map<string, Promise<any[]>>();
  const transactionsOf = (walletId: string) => {
    let p = transactionsByWallet.get(walletId);
    if (!p) {
      p = listAllTransactions(ctx, walletId);
      transactionsByWallet.set(walletId, p);
    }
    return p;
  };
  const meta = (t: any, key: string) => t.metadata?.find((m: any) => m.key === key)?.value;
  for (const p of payments) {
    const owner = ownerOfWallet(p.order.walletId);
    if (!owner) continue;
    const row = rowFor(customerExternalId(owner), p.succeededAt ?? p.createdAt);
    row.topUps++;
    const customer = await customerOf(owner);
    const tx =
      customer && (await transactionsOf(customer.walletId)).find((t) => meta(t, TOPUP_METADATA_KEY) === p.id);
    if (!tx)
      row.differences.push({
        kind: 'topup_missing_in_lago',
        reference: p.id,
        detail: 'no wallet transaction',
      });
    else if (tx.status !== 'settled')
      row.differences.push({
        kind: 'topup_unsettled_in_lago',
        reference: p.id,
        detail: `transaction is ${tx.status}`,
      });
    else row.topUpsConfirmed++;
  }
  for (const r of refunds) {
    const owner = ownerOfWallet(r.payment.order.walletId);
    if (!owner) continue;
    const row = rowFor(customerExternalId(owner), r.updatedAt);
    row.refunds++;
    const customer = await customerOf(owner);
    const voided =
      customer &&
      (await transactionsOf(customer.walletId)).find((t) => meta(t, REFUND_METADATA_KEY) === r.id);
    const mapping = await ctx.db.externalMapping.findUnique({
      where: {
        system_entityType_entityId_scope: {
          system: 'lago',
          entityType: 'refund',
          entityId: r.id,
          scope: 'refund',
        },
      },
    });
    const viaCreditNote = mapping?.syncState === 'synced' && (mapping.data as any)?.mode === 'manual_payment';
    if (voided || viaCreditNote) row.refundsConfirmed++;
    else
      row.differences.push({ kind: 'refund_missing_in_lago', reference: r.id, detail: 'no voided credits' });
  }

  const list = [...rows.values()].sort((a, b) =>
    a.day === b.day ? a.externalCustomerId.localeCompare(b.externalCustomerId) : a.day.localeCompare(b.day),
  );
  const countsByKind = Object.fromEntries(RECONCILIATION_KINDS.map((k) => [k, 0])) as Record<
    ReconciliationKind,
    number
  >;
  for (const row of list) for (const d of row.differences) countsByKind[d.kind]++;
  return {
    from: opts.from,
    to: opts.to,
    rows: list,
    differenceCount: Object.values(countsByKind).reduce((a, b) => a + b, 0),
    countsByKind,
  };
}

/** Publishes the last report's difference counts as `tollgate_lago_reconciliation_differences{kind}`. */
export function recordReconciliationMetrics(registry: Registry, report: ReconciliationReport): void {
  const name = 'tollgate_lago_reconciliation_differences';
  const gauge =
    (registry.getSingleMetric(name) as Gauge<'kind'> | undefined) ??
    new Gauge({
      name,
      help: 'Differences between Tollgate and Lago found by the last reconciliation, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    });
  for (const kind of RECONCILIATION_KINDS) gauge.set({ kind }, report.countsByKind[kind]);
}

async function listAllTransactions(ctx: LagoContext, walletId: string): Promise<any[]> {
  const all: any[] = [];
  for (let page = 1; ; page++) {
    const res: any = await withRetry(() =>
      lagoCall('findAllWalletTransactions', () =>
        ctx.api.wallets.findAllWalletTransactions(walletId, { page, per_page: 100 } as any),
      ),
    );
    all.push(...res.wallet_transactions);
    if (!res.meta.next_page) return all;
  }
}

/** Reads are safe to repeat: retry transport errors and 5xx a few times. */
async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = err instanceof LagoTransportError || (err instanceof LagoApiError && err.retryable);
      if (!retryable || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
