import type { Db } from '../db/client.ts';
import { enqueueLagoUsage } from '../integrations/lago/handlers.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { newId } from '../lib/ids.ts';
import type { PostingRecord, SettledOutcome } from './settlement-journal.ts';
import { type UsageRecordData, UsageRecordWriter } from './usage-record.ts';

/**
 * One usage record per request id, and its Lago delivery in the same transaction. Writing it
 * again (a posting retried, or recovered by another process) finds it there and stops.
 */
export class UsageRecorder {
  private readonly writer: UsageRecordWriter;

  constructor(
    private readonly db: Db,
    sql: ConstructorParameters<typeof UsageRecordWriter>[0],
    /** Lago bills usage: a record that cost something goes out through the outbox with it. */
    private readonly lago: boolean,
    /** SETTLEMENT_LINGER_MS: how long usage records gather before their INSERT goes out. */
    lingerMs = 0,
  ) {
    this.writer = new UsageRecordWriter(sql, 500, lingerMs);
  }

  async record(r: PostingRecord, outcome: SettledOutcome, costNanos: bigint): Promise<void> {
    const lago = this.lago && costNanos > 0n;
    const data: UsageRecordData = {
      id: newId('use'),
      requestId: r.requestId,
      organizationId: r.organizationId,
      teamId: r.teamId,
      userId: r.userId,
      apiKeyId: r.apiKeyId,
      walletId: r.walletId,
      holdId: r.holdId,
      currency: r.currency,
      endpoint: r.endpoint,
      modelRequested: r.requestedModel,
      modelServed: outcome.modelServed ?? r.model,
      promptTokens: outcome.promptTokens,
      completionTokens: outcome.completionTokens,
      cachedTokens: outcome.cachedTokens,
      costNanos,
      status: outcome.status,
      httpStatus: outcome.httpStatus,
      latencyMs: Math.round(outcome.latencyMs),
      estimated: outcome.estimated,
      graced: r.plan?.graced ?? false,
      degradedFrom: r.plan?.degradedFrom ?? null,
      planDay: r.plan?.planDay ?? null,
    };
    const alreadyWritten = async (requestId: string) =>
      (await this.db.usageRecord.findUnique({ where: { requestId }, select: { holdId: true } }))?.holdId ===
      r.holdId;
    try {
      await this.insert(data, lago);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (await alreadyWritten(r.requestId)) return;
      // Another tenant chose the same X-Request-ID (holds are per wallet, usage ids are global):
      // keep this record under a disambiguated id rather than lose it.
      const requestId = `${r.requestId}~${r.holdId}`;
      try {
        await this.insert({ ...data, requestId }, lago);
      } catch (again) {
        if (!isUniqueViolation(again) || !(await alreadyWritten(requestId))) throw again;
      }
    }
  }

  private async insert(data: UsageRecordData, withLago: boolean) {
    // With Lago off the record stands alone; with Lago on, its delivery commits with it.
    if (withLago)
      await this.db.$transaction(async (tx) => enqueueLagoUsage(tx, await tx.usageRecord.create({ data })));
    else await this.writer.write(data);
  }
}
