import { logger } from '../lib/logger.ts';
import type { LimitChangedEvent } from '../pubsub.ts';
import type { Db } from '../db/client.ts';
import { type Notifier, notificationKeys } from './service.ts';

/**
 * Daily-limit warnings and "reached" events also go out as notifications (webhooks, email), once
 * per subject, metric and plan day: the dedupe key names the crossing, not the request. The
 * returned listener is the daily-limit service's `onLimitChanged`; it never throws (a failed
 * notification is logged, the request that crossed the limit is not affected).
 */
export function limitChangedNotifier(deps: { notifier: Notifier; db: Db }) {
  return (e: LimitChangedEvent): void => notifyLimitChanged(deps, e);
}

function notifyLimitChanged(deps: { notifier: Notifier; db: Db }, e: LimitChangedEvent): void {
  if (e.kind === 'reset') return;
  const periodStart = (e as { day?: string }).day ?? e.resetsAt;
  const model = (e as { model?: string | null }).model;
  const metric = model ? `${e.metric}:${model}` : e.metric;
  const kind = e.kind === 'warning' ? 'warning' : 'reached';
  const thresholdSuffix =
    e.kind === 'warning' ? `:${(e as { thresholdPercent?: number | null }).thresholdPercent ?? ''}` : '';
  void deps.notifier
    .notify(deps.db, {
      type: kind === 'warning' ? 'daily_limit_warning' : 'daily_limit_reached',
      organizationId: e.organizationId,
      dedupeKey: `${notificationKeys.dailyLimit(kind, e.subjectType, e.subjectId, metric, periodStart)}${thresholdSuffix}`,
      payload: {
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        metric: e.metric,
        limit: e.limit,
        used: e.used,
        periodStart,
        resetsAt: e.resetsAt,
      },
    })
    .catch((err) => logger.error({ err }, 'daily limit notification failed'));
}
