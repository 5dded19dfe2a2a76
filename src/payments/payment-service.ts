import type { Refund } from '../generated/prisma/client.ts';
import { NotFoundError } from '../lib/errors.ts';
import type { WebhookHeaders } from '../providers/payment/types.ts';
import { parseCurrency } from '../lib/money.ts';
import { type PaymentsDeps, providerIdsOf } from './deps.ts';
import { offeredProviders } from './top-up-providers.ts';
import { reconcileStuckPayments, reconcileStuckRefunds } from './reconciliation.ts';
import { type RefundPaymentInput, refundPayment } from './refunds.ts';
import { releaseReview } from './release-review.ts';
import { type CreateTopUpInput, type TopUpResult, createTopUp } from './top-ups.ts';
import { receiveWebhook } from './webhook-inbox.ts';

export type { OwnerType } from './deps.ts';
export type { RefundPaymentInput } from './refunds.ts';
export type { CreateTopUpInput, TopUpResult } from './top-ups.ts';

/**
 * Top-ups, provider webhooks, refunds, disputes, review and reconciliation: orders → payments →
 * wallet credit. Each use case lives in its own module; this is the surface other domains call.
 *
 * Exactly-once credit rests on two things: the ledger posting is bound to `topup:<paymentId>` (a
 * replay is a no-op), and payment/order/refund states only move forward (state-machine.ts), so
 * duplicated, delayed and reordered provider events change nothing the second time. Webhooks are
 * acknowledged once stored, then applied by the outbox worker (webhook-inbox.ts).
 */
export interface PaymentService {
  /** The enabled providers, in PAYMENT_PROVIDERS order. */
  readonly providerIds: string[];
  /** @see top-ups.ts */
  createTopUp(input: CreateTopUpInput): Promise<TopUpResult>;
  /** The providers a top-up in `currency` may use, the default first (TOP_UP_PROVIDERS). */
  topUpProviders(currency: string): readonly string[];
  /** Verifies, stores and enqueues one provider webhook (webhook-inbox.ts); does not apply it. */
  receiveWebhook(
    providerId: string,
    headers: WebhookHeaders,
    rawBody: Buffer,
  ): ReturnType<typeof receiveWebhook>;
  /** @see refunds.ts */
  refundPayment(input: RefundPaymentInput): Promise<Refund>;
  /** @see release-review.ts */
  releaseReview(paymentId: string): Promise<void>;
  /** @see reconciliation.ts */
  reconcileStuckPayments(opts: { olderThanMs: number; limit?: number }): Promise<string[]>;
  reconcileStuckRefunds(opts: { olderThanMs: number; limit?: number }): Promise<string[]>;
  /** Authorisation helper for GraphQL: the payment's organization. @throws NotFoundError */
  organizationOfPayment(paymentId: string): Promise<string>;
}

export function createPaymentService(
  deps: PaymentsDeps & { onWebhookSignatureFailure?: (provider: string) => void },
): PaymentService {
  return {
    providerIds: providerIdsOf(deps),
    createTopUp: (input) => createTopUp(deps, input),
    topUpProviders: (currency) =>
      offeredProviders(deps.topUpProviders, providerIdsOf(deps), parseCurrency(currency)),
    receiveWebhook: (providerId, headers, rawBody) => receiveWebhook(deps, providerId, headers, rawBody),
    refundPayment: (input) => refundPayment(deps, input),
    releaseReview: (paymentId) => releaseReview(deps, paymentId),
    reconcileStuckPayments: (opts) => reconcileStuckPayments(deps, opts),
    reconcileStuckRefunds: (opts) => reconcileStuckRefunds(deps, opts),
    async organizationOfPayment(paymentId) {
      const p = await deps.db.payment.findUnique({ where: { id: paymentId }, include: { order: true } });
      if (!p) throw new NotFoundError('Payment', paymentId);
      return p.order.organizationId;
    },
  };
}
