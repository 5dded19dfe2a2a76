import type { Sql, Statement } from '../db/sql.ts';

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
  httpStatus: number;
  latencyMs: number;
  estimated: boolean;
  graced: boolean;
  degradedFrom: string | null;
  planDay: string | null;
}

const INSERT_USAGE: Statement = {
  name: 'usage_insert',
  text: `INSERT INTO usage_records (id, "requestId", "organizationId", "teamId", "userId", "apiKeyId", "walletId",
  "holdId", currency, endpoint, "modelRequested", "modelServed", "promptTokens", "completionTokens",
  "cachedTokens", "costNanos", status, "httpStatus", "latencyMs", estimated, graced, "degradedFrom", "planDay",
  "createdAt")
VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text,
  $11::text, $12::text, $13::int, $14::int, $15::int, $16::bigint, $17::text, $18::int, $19::int, $20::boolean,
  $21::boolean, $22::text, $23::text, $24::timestamp(3))`,
};

/** Writes a usage record in one driver-level statement (it stands alone: no delivery rides with it). */
export async function insertUsageRecord(sql: Sql, d: UsageRecordData): Promise<void> {
  await sql.query(INSERT_USAGE, [
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
    new Date().toISOString(),
  ]);
}
