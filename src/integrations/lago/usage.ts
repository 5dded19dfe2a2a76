import type { UsageRecord } from '../../generated/prisma/client.ts';
import { logger } from '../../lib/logger.ts';
import { PermanentDeliveryError } from '../../outbox/worker.ts';
import { LagoApiError, lagoCall } from './client.ts';
import type { LagoContext } from './context.ts';
import { nanosToMajorDecimal } from '../../lib/money.ts';
import { nanosToPreciseCents } from './mapping.ts';

/** The body of one Lago usage event (`POST /events` / `/events/batch`). */
export interface LagoUsageEvent {
  transaction_id: string;
  external_subscription_id: string;
  code: string;
  timestamp: number;
  precise_total_amount_cents: string;
  /**
   * Token counts are sent as decimal strings: the spec types property values as
   * oneOf(string, integer, number), which no JSON integer satisfies exactly once, and Lago's
   * aggregations cast the value to a decimal either way.
   */
  properties: {
    model: string;
    prompt_tokens: string;
    completion_tokens: string;
    total_tokens: string;
    cost: string;
  };
}

/** One settled usage record → one Lago event; `transaction_id` is the request id (Lago dedupes on it). */
export function buildUsageEvent(
  record: Pick<
    UsageRecord,
    | 'requestId'
    | 'modelRequested'
    | 'modelServed'
    | 'promptTokens'
    | 'completionTokens'
    | 'costNanos'
    | 'currency'
    | 'createdAt'
  >,
  externalSubscriptionId: string,
  metricCode: string,
): LagoUsageEvent {
  return {
    transaction_id: record.requestId,
    external_subscription_id: externalSubscriptionId,
    code: metricCode,
    timestamp: Math.floor(record.createdAt.getTime() / 1000),
    precise_total_amount_cents: nanosToPreciseCents(record.costNanos, record.currency),
    properties: {
      model: record.modelServed ?? record.modelRequested,
      prompt_tokens: String(record.promptTokens),
      completion_tokens: String(record.completionTokens),
      total_tokens: String(record.promptTokens + record.completionTokens),
      cost: nanosToMajorDecimal(record.costNanos),
    },
  };
}

interface Pending {
  event: LagoUsageEvent;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces the usage events of concurrently running outbox deliveries into `POST /events/batch`
 * calls. Each outbox row still succeeds or fails on its own: a duplicate (422 value_already_exist)
 * counts as delivered; Lago rejects a batch as a whole, so the other events are sent again
 * without the rejected indexes; a transport error or 5xx fails every row of that batch, which the
 * outbox retries with backoff.
 */
export class LagoUsageBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: Pick<LagoContext, 'api'>,
    private readonly opts: { batchSize: number; lingerMs: number },
  ) {}

  submit(event: LagoUsageEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (this.pending.length >= this.opts.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.opts.batchSize);
    if (this.pending.length) this.timer = setTimeout(() => this.flush(), 0);
    if (batch.length) void this.send(batch);
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      await lagoCall('createBatchEvents', () =>
        this.ctx.api.events.createBatchEvents({ events: batch.map((p) => p.event) } as any),
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      const byIndex = indexErrors(err);
      if (!byIndex) {
        for (const p of batch) p.reject(err);
        return;
      }
      const rest: Pending[] = [];
      batch.forEach((p, i) => {
        const details = byIndex[String(i)];
        if (!details) rest.push(p);
        else if (isOnlyDuplicate(details)) p.resolve();
        else
          p.reject(
            new PermanentDeliveryError(
              `Lago rejected event ${p.event.transaction_id}: ${JSON.stringify(details)}`,
            ),
          );
      });
      logger.debug({ size: batch.length, resend: rest.length }, 'lago batch rejected, resending the rest');
      if (rest.length) await this.send(rest);
    }
  }
}

function indexErrors(err: unknown): Record<string, Record<string, string[]>> | undefined {
  if (!(err instanceof LagoApiError) || err.lagoStatus !== 422) return undefined;
  const details = err.body?.error_details;
  if (!details || typeof details !== 'object') return undefined;
  const keys = Object.keys(details);
  if (keys.length === 0 || !keys.every((k) => /^\d+$/.test(k))) return undefined;
  return details;
}

function isOnlyDuplicate(details: Record<string, string[]>): boolean {
  const fields = Object.entries(details);
  return (
    fields.length === 1 &&
    fields[0]![0] === 'transaction_id' &&
    fields[0]![1].every((c) => c === 'value_already_exist')
  );
}
