import type { Client, CombinedError, OperationResult, TypedDocumentNode } from 'urql';
// Explicit extensions and no import of the generated `graphql()` here: unit tests load this file
// under the gateway's Node resolution too (test/unit/console/usage-export.test.ts).
import type { UsageFilter, UsageRecordsQuery, UsageRecordsQueryVariables } from '../../gql/graphql.ts';
import { formatUnits } from '../../ui/money.ts';
import { csvRow } from './csv.ts';

/** At most this many rows per export: the log is for looking, a data export belongs to the API. */
export const EXPORT_ROWS_MAX = 10_000;
/** The largest page the gateway serves. */
const PAGE = 100;

export type UsageRow = UsageRecordsQuery['usageRecords']['edges'][number]['node'];

const HEADER = [
  'request_id',
  'time',
  'api_key_id',
  'api_key_name',
  'model_requested',
  'model_served',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost',
  'currency',
  'status',
  'http_status',
  'latency_ms',
];

function line(r: UsageRow, keyName: (rawId: string) => string): string {
  return csvRow([
    r.requestId,
    r.createdAt,
    r.apiKeyId,
    keyName(r.apiKeyId),
    r.modelRequested,
    r.modelServed,
    r.promptTokens,
    r.completionTokens,
    r.cachedTokens,
    // Exact: all nine decimals of the nano amount, through BigInt.
    formatUnits(r.cost.amount, 9, 9).replaceAll(',', ''),
    r.cost.currency,
    r.status,
    r.httpStatus,
    r.latencyMs,
  ]);
}

/** The wait the gateway asks for when the GraphQL cost budget is used up, else null. */
function retryAfterMs(error: CombinedError): number | null {
  const ext = error.graphQLErrors[0]?.extensions as
    | { code?: string; details?: { retry_after_ms?: number; retry_after_seconds?: number } }
    | undefined;
  if (ext?.code !== 'RATE_LIMIT_EXCEEDED') return null;
  return ext.details?.retry_after_ms ?? (ext.details?.retry_after_seconds ?? 1) * 1000;
}

export class ExportError extends Error {
  constructor(readonly error: CombinedError) {
    super(error.message);
  }
}

/**
 * Pages through `usageRecords` with the log's filter and builds the CSV (UTF-8 with a byte order mark,
 * so spreadsheet programs read Chinese model or key names correctly). A long export can use up the
 * caller's GraphQL cost budget: then it waits as long as the gateway says and goes on.
 * @throws ExportError for any other GraphQL error.
 */
export async function exportUsageCsv(opts: {
  client: Client;
  /** UsageRecordsDocument (operations.ts), the query the log itself runs. */
  query: TypedDocumentNode<UsageRecordsQuery, UsageRecordsQueryVariables>;
  filter: UsageFilter;
  keyName: (rawId: string) => string;
  onProgress: (rows: number, waitingMs: number | null) => void;
  signal: AbortSignal;
  /** Waits for the gateway's retry-after; tests pass a fake clock's. */
  sleep?: (ms: number) => Promise<void>;
  /** Default EXPORT_ROWS_MAX. */
  rowsMax?: number;
}): Promise<{ csv: string; rows: number; capped: boolean }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const rowsMax = opts.rowsMax ?? EXPORT_ROWS_MAX;
  const parts = [`\uFEFF${csvRow(HEADER)}`];
  let rows = 0;
  let after: string | null = null;
  for (;;) {
    if (opts.signal.aborted) throw new DOMException('aborted', 'AbortError');
    const res: OperationResult<UsageRecordsQuery> = await opts.client
      .query(
        opts.query,
        { filter: opts.filter, first: Math.min(PAGE, rowsMax - rows), after },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (res.error) {
      const wait = retryAfterMs(res.error);
      if (wait === null) throw new ExportError(res.error);
      opts.onProgress(rows, wait);
      await sleep(wait);
      continue;
    }
    const conn = res.data?.usageRecords;
    if (!conn) break;
    for (const e of conn.edges) parts.push(line(e.node, opts.keyName));
    rows += conn.edges.length;
    opts.onProgress(rows, null);
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor)
      return { csv: parts.join(''), rows, capped: false };
    if (rows >= rowsMax) return { csv: parts.join(''), rows, capped: true };
    after = conn.pageInfo.endCursor;
  }
  return { csv: parts.join(''), rows, capped: false };
}
