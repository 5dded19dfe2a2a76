import type { MerchantAccount, PaymentProvider, QueryResult } from '../providers/payment/types.ts';

/**
 * A signed provider event proves only that it came from someone holding the webhook secret, not
 * that its amount, currency or transaction belong to our payment. These checks decide what a
 * success may credit, for every provider: the payment's own transaction (or the one the provider
 * reports for it), the order's amount and currency, confirmed by the provider's own record.
 */

/** What we recorded for a payment when we created it. */
export interface PaymentOfRecord {
  readonly providerTxnId: string | null;
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** What an event says about the payment it names. */
export interface PaymentClaim {
  readonly providerTxnId: string;
  readonly amountMinor: bigint;
  readonly amountReceivedMinor?: bigint;
  readonly currency: string;
}

export const MismatchKind = {
  Transaction: 'transaction_mismatch',
  Amount: 'amount_mismatch',
  Currency: 'currency_mismatch',
  /** The event is for another app or merchant account (Alipay app_id / seller_id). */
  Merchant: 'merchant_mismatch',
  /** The event names another order than the payment's (Alipay out_trade_no). */
  Order: 'order_mismatch',
} as const;
export type MismatchKind = (typeof MismatchKind)[keyof typeof MismatchKind];

export interface Mismatch {
  readonly kind: MismatchKind;
  /** Who said what, for the operator: `event` or `provider`, and the two values. */
  readonly source: 'event' | 'provider';
  readonly expected: string;
  readonly got: string;
}

export type SuccessConfirmation =
  /** Credit the order's amount; `providerTxnId` is the transaction to record (it may have changed). */
  | { readonly kind: 'confirmed'; readonly providerTxnId: string; readonly query: QueryResult }
  /** The provider does not (yet) report success: credit nothing now; reconciliation looks again. */
  | { readonly kind: 'unconfirmed'; readonly query: QueryResult }
  /** Freeze for review and notify; never credit. */
  | { readonly kind: 'mismatch'; readonly mismatch: Mismatch };

const mismatch = (kind: MismatchKind, source: Mismatch['source'], expected: unknown, got: unknown) => ({
  kind: 'mismatch' as const,
  mismatch: { kind, source, expected: String(expected), got: String(got) },
});

/** Compares an event's claim with the payment of record; null when they agree. */
export function claimMismatch(
  payment: PaymentOfRecord,
  ownTxnIds: readonly string[],
  claim: PaymentClaim,
): Mismatch | null {
  if (!ownTxnIds.includes(claim.providerTxnId))
    return mismatch(MismatchKind.Transaction, 'event', ownTxnIds.join(' or '), claim.providerTxnId).mismatch;
  if (claim.currency !== payment.currency)
    return mismatch(MismatchKind.Currency, 'event', payment.currency, claim.currency).mismatch;
  if (claim.amountMinor !== payment.amountMinor)
    return mismatch(MismatchKind.Amount, 'event', payment.amountMinor, claim.amountMinor).mismatch;
  if (claim.amountReceivedMinor !== undefined && claim.amountReceivedMinor > payment.amountMinor)
    return mismatch(MismatchKind.Amount, 'event', payment.amountMinor, claim.amountReceivedMinor).mismatch;
  return null;
}

/**
 * Alipay's rules, before `claimMismatch`: a notification verified with the Alipay public key proves
 * only that Alipay sent it, and Alipay signs for every app and merchant alike. It must name our app
 * (`app_id`), our merchant account (`seller_id`, when configured) and the payment's order
 * (`out_trade_no`), or it credits nothing (opendocs.alipay.com/open/270/105902, "验证 app_id…").
 */
export function merchantClaimMismatch(
  expected: MerchantAccount,
  orderId: string,
  claim: { readonly merchantAccount?: MerchantAccount | undefined; readonly orderId: string | null },
): Mismatch | null {
  const got = claim.merchantAccount;
  if (!got || got.appId !== expected.appId)
    return mismatch(
      MismatchKind.Merchant,
      'event',
      `app_id ${expected.appId}`,
      `app_id ${got?.appId ?? 'none'}`,
    ).mismatch;
  if (expected.sellerId !== null && got.sellerId !== expected.sellerId)
    return mismatch(
      MismatchKind.Merchant,
      'event',
      `seller_id ${expected.sellerId}`,
      `seller_id ${got.sellerId ?? 'none'}`,
    ).mismatch;
  if (claim.orderId !== orderId)
    return mismatch(MismatchKind.Order, 'event', orderId, claim.orderId).mismatch;
  return null;
}

/**
 * Asks the provider whether the payment succeeded, for the order's amount in the order's currency,
 * and checks the event's claim (when success came from an event) against both.
 * @throws the provider's errors from `query` (PROVIDER_UNAVAILABLE: the caller answers 5xx and the
 *   event is delivered again; nothing is credited without the provider's word).
 */
export async function confirmSuccess(
  provider: PaymentProvider,
  payment: PaymentOfRecord & { readonly providerTxnId: string },
  claim: PaymentClaim | null,
  /** The provider's record when the caller has just read it (reconciliation). */
  known?: QueryResult,
): Promise<SuccessConfirmation> {
  const query = known ?? (await provider.query(payment.providerTxnId));
  const own = [payment.providerTxnId, query.providerTxnId];
  if (claim) {
    const m = claimMismatch(payment, own, claim);
    if (m) return { kind: 'mismatch', mismatch: m };
  }
  if (query.currency !== payment.currency)
    return mismatch(MismatchKind.Currency, 'provider', payment.currency, query.currency);
  if (query.status !== 'succeeded') return { kind: 'unconfirmed', query };
  if (query.amountReceivedMinor !== payment.amountMinor)
    return mismatch(MismatchKind.Amount, 'provider', payment.amountMinor, query.amountReceivedMinor);
  return { kind: 'confirmed', providerTxnId: query.providerTxnId, query };
}

/**
 * Whether `providerTxnId` is the payment's transaction: the one we recorded, or the one the
 * provider reports for it (asked only when they differ).
 */
export async function isOwnTransaction(
  provider: PaymentProvider,
  recordedTxnId: string | null,
  providerTxnId: string,
): Promise<boolean> {
  if (recordedTxnId === providerTxnId) return true;
  if (!recordedTxnId) return false;
  return (await provider.query(recordedTxnId)).providerTxnId === providerTxnId;
}
