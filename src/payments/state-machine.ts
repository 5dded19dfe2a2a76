/**
 * Payment, order and refund states only move forward, so duplicated and out-of-order provider events
 * are harmless: a late `payment_failed` after `succeeded` changes nothing.
 * `failed` is NOT final (Stripe returns a failed PaymentIntent to requires_payment_method and it can
 * still succeed); only `succeeded` and `canceled` are.
 */
export const PAYMENT_STATUSES = [
  'created',
  'requires_action',
  'processing',
  'failed',
  'succeeded',
  'canceled',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const FINAL_PAYMENT: ReadonlySet<string> = new Set(['succeeded', 'canceled']);

export function canMovePayment(from: string, to: PaymentStatus): boolean {
  if (from === to) return false;
  if (FINAL_PAYMENT.has(from)) return false;
  // A payment in flight does not go back to "created".
  return to !== 'created';
}

export const ORDER_STATUSES = ['created', 'pending', 'paid', 'failed', 'canceled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export function orderStatusFor(payment: PaymentStatus): OrderStatus {
  switch (payment) {
    case 'succeeded':
      return 'paid';
    case 'canceled':
      return 'canceled';
    case 'failed':
      return 'failed';
    default:
      return 'pending';
  }
}

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * A pending refund moves to any final state. One final state is not final: a `succeeded` refund can
 * still fail later (Stripe: the card or bank account was closed; the money comes back to us), so
 * `succeeded → failed` is allowed, once. `failed` and `canceled` never move.
 */
export function canMoveRefund(from: string, to: RefundStatus): boolean {
  if (from === 'pending') return to !== 'pending';
  return from === 'succeeded' && to === 'failed';
}

/** A dispute opens, then the provider decides it (src/payments/disputes.ts). */
export const DISPUTE_STATUSES = ['open', 'won', 'lost'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
