import { logger } from '../lib/logger.ts';
import type { LimitChangedEvent } from '../pubsub.ts';
import type { Services } from '../services.ts';
import { notificationKeys } from './service.ts';

/**
 * Daily-limit warnings and "reached" events also go out as notifications (webhooks, email), once
 * per subject, metric and plan day: the dedupe key names the crossing, not the request.
 */
export function notifyLimitChanged(services: Services, e: LimitChangedEvent): void {
  if (e.kind === 'reset') return;
  const periodStart = (e as { day?: string }).day ?? e.resetsAt;
  const model = (e as { model?: string | null }).model;
  const metric = model ? `${e.metric}:${model}` : e.metric;
  const kind = e.kind === 'warning' ? 'warning' : 'reached';
  const thresholdSuffix =
    e.kind === 'warning' ? `:${(e as { thresholdPercent?: number | null }).thresholdPercent ?? ''}` : '';
  void services.notifications
    .notify(services.db, {
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
