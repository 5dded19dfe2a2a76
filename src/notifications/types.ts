/**
 * Every notification Tollgate sends. Payloads are JSON: amounts are decimal strings, times ISO-8601.
 * docs/risk-and-notifications.md lists each type's fields and dedupe key.
 */
export const NOTIFICATION_TYPES = [
  'balance_low',
  'daily_limit_warning',
  'daily_limit_reached',
  'payment_succeeded',
  'payment_failed',
  'refund_succeeded',
  'dispute_opened',
  'payment_review_required',
  'key_expiring',
  'rate_limit_sustained',
  'spend_velocity_breach',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationPayloads {
  balance_low: { walletId: string; currency: string; balanceNanos: string; thresholdNanos: string };
  daily_limit_warning: DailyLimitPayload;
  daily_limit_reached: DailyLimitPayload;
  payment_succeeded: PaymentPayload;
  payment_failed: PaymentPayload & { failureCode: string | null; failureMessage: string | null };
  refund_succeeded: { refundId: string; paymentId: string; currency: string; amountMinor: string };
  dispute_opened: {
    disputeId: string;
    paymentId: string;
    currency: string;
    amountMinor: string;
    reason: string | null;
    frozenNanos: string;
  };
  /** Platform-level: a provider event disagreed with the payment; nothing was credited from it. */
  payment_review_required: {
    paymentId: string;
    orderId: string;
    walletId: string;
    /** transaction_mismatch | amount_mismatch | currency_mismatch */
    reason: string;
    /** `event` (what the signed event said) or `provider` (what the provider's own record says). */
    source: string;
    expected: string;
    got: string;
    providerEventId: string | null;
  };
  key_expiring: { apiKeyId: string; name: string; prefix: string; userId: string; expiresAt: string };
  rate_limit_sustained: {
    scope: 'api_key' | 'user' | 'organization';
    subjectId: string;
    rejections: number;
    windowStart: string;
  };
  spend_velocity_breach: {
    scope: 'api_key' | 'user';
    subjectId: string;
    window: 'minute' | 'hour';
    currency: string;
    capNanos: string;
    spentNanos: string;
    windowStart: string;
    blocked: boolean;
  };
}

interface DailyLimitPayload {
  subjectType: string;
  subjectId: string;
  metric: string;
  limit: string;
  used: string;
  periodStart: string;
  resetsAt: string;
}

interface PaymentPayload {
  paymentId: string;
  orderId: string;
  walletId: string;
  currency: string;
  amountMinor: string;
}

export type NotificationInput = {
  [T in NotificationType]: {
    type: T;
    /** null: platform-level (email/webhooks go nowhere; admins see it in `notifications`). */
    organizationId: string | null;
    /** Unique: a second notify with the same key does nothing. Name the crossing, not the request. */
    dedupeKey: string;
    payload: NotificationPayloads[T];
  };
}[NotificationType];

/** What subscribers, webhooks and emails receive. */
export interface NotificationEvent {
  id: string;
  type: NotificationType;
  organizationId: string | null;
  createdAt: string;
  data: Record<string, unknown>;
}
