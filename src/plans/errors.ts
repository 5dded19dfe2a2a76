import { AppError } from '../lib/errors.ts';

export interface DailyLimitExceededDetails {
  planId: string;
  planCode: string;
  metric: string;
  currency: string | null;
  model: string | null;
  limit: string;
  used: string;
  requested: string;
  day: string;
  resetsAt: string;
  subjectType: string;
  subjectId: string;
}

/**
 * A daily limit of the caller's plan would be exceeded. 429 with OpenAI type `insufficient_quota`:
 * like OpenAI's quota error, retrying before `resetsAt` cannot succeed, so the proxy should also send
 * the `headers` (`retry-after` seconds until the reset, `x-should-retry: false` for the openai SDKs).
 */
export class DailyLimitExceededError extends AppError {
  override readonly headers: Record<string, string>;

  constructor(d: DailyLimitExceededDetails, now: Date, limitHeaders: Record<string, string>) {
    const what = `${d.metric === 'cost' ? `cost (${d.currency} nano-units)` : d.metric}${d.model ? ` for model '${d.model}'` : ''}`;
    super(
      'DAILY_LIMIT_EXCEEDED',
      `Daily ${what} limit of plan '${d.planCode}' reached: ${d.used} of ${d.limit} used on ${d.day}, this request needs ${d.requested}; it resets at ${d.resetsAt}`,
      { status: 429, type: 'insufficient_quota', details: { ...d } },
    );
    const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(d.resetsAt) - now.getTime()) / 1000));
    this.headers = { ...limitHeaders, 'retry-after': String(retryAfterSeconds), 'x-should-retry': 'false' };
  }
}
