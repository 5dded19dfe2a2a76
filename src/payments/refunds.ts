import type { Payment, Refund } from '../generated/prisma/client.ts';
import { InsufficientFundsError } from '../ledger/errors.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { minorToNanos } from '../lib/money.ts';
import { IdempotencyConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import {
  ProviderAuthError,
  ProviderInvalidRequestError,
  ProviderResourceMissingError,
  RefundNotAllowedError,
  UnknownProviderError,
} from '../providers/payment/errors.ts';
import type { PaymentProvider } from '../providers/payment/types.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import {
  PaymentNotRefundableError,
  RefundExceedsRemainingError,
  RefundExceedsUnspentBalanceError,
} from './errors.ts';
import { finalizeRefund } from './refund-finalize.ts';

export interface RefundPaymentInput {
  paymentId: string;
  /** null: everything that remains refundable. */
  amountMinor: bigint | null;
  reason: string | null;
  idempotencyKey: string;
  requestId: string;
}

const REFUND_HOLD_TTL_MS = 7 * 24 * 3600 * 1000;

/** Provider errors that mean the refund certainly did not happen (the request was refused as such). */
const isDefiniteRefusal = (err: unknown): boolean =>
  err instanceof ProviderInvalidRequestError ||
  err instanceof ProviderResourceMissingError ||
  err instanceof RefundNotAllowedError ||
  err instanceof ProviderAuthError ||
  err instanceof UnknownProviderError;

/**
 * Refunds part or all of a succeeded payment. The amount is reserved on the wallet (a hold) until
 * the provider confirms, then the ledger posts the refund and releases the hold; a failed refund
 * just releases it. Never more than was paid: REFUND_EXCEEDS_REMAINING. With the `block` policy,
 * never more than the wallet's unspent balance: REFUND_EXCEEDS_UNSPENT_BALANCE.
 */
export async function refundPayment(deps: PaymentsDeps, input: RefundPaymentInput): Promise<Refund> {
  const { db, ledger } = deps;
  if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > 255)
    throw new ValidationError('idempotencyKey must be 1 to 255 characters', { param: 'idempotencyKey' });
  const payment = await db.payment.findUnique({ where: { id: input.paymentId }, include: { order: true } });
  if (!payment) throw new NotFoundError('Payment', input.paymentId);
  const byKey = {
    paymentId_idempotencyKey: { paymentId: payment.id, idempotencyKey: input.idempotencyKey },
  };
  const prior = await db.refund.findUnique({ where: byKey });
  if (prior) {
    if (input.amountMinor !== null && prior.amountMinor !== input.amountMinor)
      throw new IdempotencyConflictError('refundPayment', input.idempotencyKey);
    // The earlier attempt never reached a provider answer (crash, timeout): ask again, same key.
    if (prior.status === 'pending' && !prior.providerRefundId)
      return submitRefund(deps, prior, payment, prior.reason);
    return prior;
  }
  if (payment.status !== 'succeeded') throw new PaymentNotRefundableError(payment.status);
  if (input.amountMinor !== null && input.amountMinor <= 0n)
    throw new ValidationError('amount must be positive', { param: 'amount' });

  const pending = await db.refund.aggregate({
    where: { paymentId: payment.id, status: 'pending' },
    _sum: { amountMinor: true },
  });
  const remaining = payment.amountMinor - payment.amountRefundedMinor - (pending._sum.amountMinor ?? 0n);
  const amountMinor = input.amountMinor ?? remaining;
  if (amountMinor <= 0n || amountMinor > remaining)
    throw new RefundExceedsRemainingError(amountMinor, remaining);

  const refundId = newId('ref');
  const amountNanos = minorToNanos(amountMinor, payment.currency);
  let holdId: string;
  try {
    const hold = await ledger.hold({
      walletId: payment.order.walletId,
      amountNanos,
      idempotencyKey: `refund:${refundId}`,
      requestId: input.requestId,
      ttlMs: REFUND_HOLD_TTL_MS,
      enforceAvailable: deps.refundSpentCreditPolicy === 'block',
      metadata: { refundId, paymentId: payment.id },
    });
    holdId = hold.holdId;
  } catch (err) {
    if (err instanceof InsufficientFundsError) throw new RefundExceedsUnspentBalanceError();
    throw err;
  }
  let refund: Refund;
  try {
    refund = await db.refund.create({
      data: {
        id: refundId,
        paymentId: payment.id,
        amountMinor,
        currency: payment.currency,
        status: 'pending',
        reason: input.reason,
        idempotencyKey: input.idempotencyKey,
        requestId: input.requestId,
      },
    });
  } catch (err) {
    await ledger.release({ holdId, reason: 'refund_not_created' });
    if (!isUniqueViolation(err)) throw err;
    // A concurrent call with the same key won; return its refund.
    return db.refund.findUniqueOrThrow({ where: byKey });
  }

  return submitRefund(deps, refund, payment, input.reason);
}

/**
 * Asks the provider to refund (idempotent on `refund:<refundId>`, so a retry can never refund twice).
 * Only a definite refusal fails the refund and frees its hold. Anything ambiguous — a timeout, a
 * dropped connection, a 5xx, an idempotency conflict — may mean the provider DID refund: the refund
 * stays pending with its hold, and the provider's event (or a retry with the same key) settles it.
 */
export async function submitRefund(
  deps: PaymentsDeps,
  refund: Refund,
  payment: Payment,
  reason: string | null,
): Promise<Refund> {
  let result: Awaited<ReturnType<PaymentProvider['refund']>>;
  try {
    result = await providerOf(deps, payment.provider).refund({
      providerTxnId: payment.providerTxnId!,
      amountMinor: refund.amountMinor,
      reason,
      idempotencyKey: `refund:${refund.id}`,
      refundId: refund.id,
    });
  } catch (err) {
    if (isDefiniteRefusal(err))
      await finalizeRefund(deps, refund, 'failed', err instanceof Error ? err.message.slice(0, 500) : null);
    throw err;
  }
  const updated = await deps.db.refund.update({
    where: { id: refund.id },
    data: { providerRefundId: result.providerRefundId },
  });
  if (result.status === 'succeeded') return finalizeRefund(deps, updated, 'succeeded', null);
  if (result.status === 'failed' || result.status === 'canceled')
    return finalizeRefund(deps, updated, result.status, null);
  return updated;
}
