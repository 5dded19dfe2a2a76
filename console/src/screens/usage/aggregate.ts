import type { UsageByDayAndModelQuery } from '../../gql/graphql';

export type AggregateRow = UsageByDayAndModelQuery['usageAggregates'][number];
export type Metric = 'requests' | 'tokens' | 'cost';

export interface ModelTotals {
  model: string;
  requests: number;
  failedRequests: number;
  promptTokens: bigint;
  completionTokens: bigint;
  /** Exact nanos per currency. */
  costNanos: Map<string, bigint>;
}

const UNKNOWN_MODEL = '—';

/** Per-model totals over the rows, exact (BigInt), largest use first. */
export function totalsByModel(rows: readonly AggregateRow[]): ModelTotals[] {
  const by = new Map<string, ModelTotals>();
  for (const r of rows) {
    const model = r.model ?? UNKNOWN_MODEL;
    let m = by.get(model);
    if (!m) {
      m = {
        model,
        requests: 0,
        failedRequests: 0,
        promptTokens: 0n,
        completionTokens: 0n,
        costNanos: new Map(),
      };
      by.set(model, m);
    }
    m.requests += r.requests;
    m.failedRequests += r.failedRequests;
    m.promptTokens += BigInt(r.promptTokens);
    m.completionTokens += BigInt(r.completionTokens);
    m.costNanos.set(r.cost.currency, (m.costNanos.get(r.cost.currency) ?? 0n) + BigInt(r.cost.amount));
  }
  return [...by.values()].sort(
    (a, b) =>
      b.requests + b.failedRequests - (a.requests + a.failedRequests) || a.model.localeCompare(b.model),
  );
}

/** The currency most rows are charged in: cost charts draw that one (amounts of two currencies don't add up). */
export function mainCurrency(rows: readonly AggregateRow[]): string | null {
  const count = new Map<string, number>();
  for (const r of rows)
    if (r.cost.amount !== '0') count.set(r.cost.currency, (count.get(r.cost.currency) ?? 0) + 1);
  let best: string | null = null;
  for (const [c, n] of count) if (best === null || n > (count.get(best) ?? 0)) best = c;
  return best;
}

/**
 * A row's value on a chart axis. Charts need numbers for their geometry, so cost becomes major units as a
 * float here and only here; every amount a person reads (tables, CSV) is formatted from the exact string.
 */
export function chartValue(r: AggregateRow, metric: Metric, currency: string | null): number {
  if (metric === 'requests') return r.requests;
  if (metric === 'tokens') return Number(BigInt(r.promptTokens) + BigInt(r.completionTokens));
  return r.cost.currency === currency ? Number(r.cost.amount) / 1e9 : 0;
}
