import type { Sql, Statement } from '../db/sql.ts';
import { GroupCommit } from '../lib/group-commit.ts';

/** One row of usage_records as the proxy writes it (prisma/schema.prisma UsageRecord). */
export interface UsageRecordData {
  id: string;
  requestId: string;
  organizationId: string;
  teamId: string | null;
  userId: string;
  apiKeyId: string;
  walletId: string;
  holdId: string;
  currency: string;
  endpoint: string;
  modelRequested: string;
  modelServed: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costNanos: bigint;
  status: string;
  httpStatus: number | null;
  latencyMs: number;
  estimated: boolean;
  graced: boolean;
  degradedFrom: string | null;
  planDay: string | null;
}

const COLUMNS = `id, "requestId", "organizationId", "teamId", "userId", "apiKeyId", "walletId", "holdId", currency,
  endpoint, "modelRequested", "modelServed", "promptTokens", "completionTokens", "cachedTokens", "costNanos", status,
  "httpStatus", "latencyMs", estimated, graced, "degradedFrom", "planDay", "createdAt"`;

const INSERT_USAGE: Statement = {
  name: 'usage_insert',
  text: `INSERT INTO usage_records (${COLUMNS})
VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text,
  $11::text, $12::text, $13::int, $14::int, $15::int, $16::bigint, $17::text, $18::int, $19::int, $20::boolean,
  $21::boolean, $22::text, $23::text, $24::timestamp(3))`,
};

/** Writes a usage record in one driver-level statement (it stands alone: no delivery rides with it). */
export async function insertUsageRecord(
  sql: Sql,
  d: UsageRecordData,
  createdAt = new Date().toISOString(),
): Promise<void> {
  await sql.query(INSERT_USAGE, row(d, createdAt));
}

/** Many records in one statement: one array per column, unnested into rows. */
const INSERT_USAGE_MANY: Statement = {
  name: 'usage_insert_many',
  text: `INSERT INTO usage_records (${COLUMNS})
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::int[], $15::int[], $16::bigint[], $17::text[],
  $18::int[], $19::int[], $20::boolean[], $21::boolean[], $22::text[], $23::text[], $24::timestamp(3)[])`,
};

function row(d: UsageRecordData, createdAt: string): unknown[] {
  return [
    d.id,
    d.requestId,
    d.organizationId,
    d.teamId,
    d.userId,
    d.apiKeyId,
    d.walletId,
    d.holdId,
    d.currency,
    d.endpoint,
    d.modelRequested,
    d.modelServed,
    d.promptTokens,
    d.completionTokens,
    d.cachedTokens,
    d.costNanos,
    d.status,
    d.httpStatus,
    d.latencyMs,
    d.estimated,
    d.graced,
    d.degradedFrom,
    d.planDay,
    createdAt,
  ];
}

/**
 * Writes usage records as a group commit (src/lib/group-commit.ts): one statement at a time, each
 * carrying every record that arrived while the previous one ran. `write` resolves when its record is
 * stored. If a batch fails (a duplicate request id, say), its records are written one by one, so
 * each caller gets its own outcome.
 */
export class UsageRecordWriter {
  /** Each record with the time it was handed over (its request's settlement), not its batch's flush. */
  private readonly commits: GroupCommit<{ d: UsageRecordData; at: string }, void>;

  constructor(
    private readonly sql: Sql,
    maxBatch = 500,
    lingerMs = 0,
  ) {
    this.commits = new GroupCommit((_key, batch) => this.flush(batch), maxBatch, lingerMs);
  }

  write(data: UsageRecordData): Promise<void> {
    // Stamped now: a record that lingers for its batch must not sort after a later request's record
    // written on its own (the usage log is newest first by this time).
    return this.commits.submit('', { d: data, at: new Date().toISOString() });
  }

  private async flush(batch: { d: UsageRecordData; at: string }[]): Promise<PromiseSettledResult<void>[]> {
    if (batch.length > 1) {
      const rows = batch.map(({ d, at }) => row(d, at));
      const columns = rows[0]!.map((_, i) => rows.map((r) => r[i]));
      try {
        await this.sql.query(INSERT_USAGE_MANY, columns);
        return batch.map(() => ({ status: 'fulfilled', value: undefined }));
      } catch {
        // Fall through: one statement each, so only the offending record fails.
      }
    }
    const out: PromiseSettledResult<void>[] = [];
    for (const { d, at } of batch)
      out.push(
        await insertUsageRecord(this.sql, d, at).then(
          () => ({ status: 'fulfilled', value: undefined }) as const,
          (reason: unknown) => ({ status: 'rejected', reason }) as const,
        ),
      );
    return out;
  }
}
