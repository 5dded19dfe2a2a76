import type { Db } from '../db/client.ts';
import type { Payment, Refund } from '../generated/prisma/client.ts';
import { enqueueLagoRefund, enqueueLagoTopUp } from '../integrations/lago/handlers.ts';
import type { LedgerService, WalletRow } from '../ledger/ledger-service.ts';
import { isUniqueViolation, requestHash } from '../ledger/ledger-service.ts';
import { minorToNanos, parseCurrency } from '../ledger/money.ts';
import { ForbiddenError, IdempotencyConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { logger } from '../lib/logger.ts';
import { notificationKeys, type NotificationService } from '../notifications/service.ts';
import { getPaymentProvider } from '../providers/payment/registry.ts';
import type {
  DisputeClosedEvent,
  DisputeOpenedEvent,
  NormalisedPaymentEvent,
  PaymentProvider,
  PaymentStatus as ProviderPaymentStatus,
  PaymentSucceededEvent,
  QueryResult,
  RefundFailedEvent,
  RefundPendingEvent,
  RefundSucceededEvent,
  WebhookHeaders,
} from '../providers/payment/types.ts';
import type { RiskServices } from '../risk/service.ts';
import { clientSecretDigest } from './client-secret.ts';
import {
  claimMismatch,
  confirmSuccess,
  isOwnTransaction,
  type Mismatch,
  MismatchKind,
} from './event-trust.ts';
import {
  PaymentNotRefundableError,
  RefundExceedsRemainingError,
  RefundExceedsUnspentBalanceError,
} from './errors.ts';
import { type PaymentStatus, canMovePayment, canMoveRefund, orderStatusFor } from './state-machine.ts';

export type OwnerType = 'organization' | 'team' | 'user';

export interface CreateTopUpInput {
  organizationId: string;
  /** The paying user (risk rules count per user); null for a platform admin acting for the org. */
  userId: string | null;
  owner: { ownerType: OwnerType; ownerId: string };
  currency: string;
  amountMinor: bigint;
  provider?: string | undefined;
  idempotencyKey: string;
  returnUrl?: string | undefined;
  requestId: string;
}

export interface TopUpResult {
  orderId: string;
  paymentId: string;
  walletId: string;
  provider: string;
  providerTxnId: string;
  status: string;
  clientSecret: string | null;
  redirectUrl: string | null;
  idempotencyHit: boolean;
}

export interface RefundPaymentInput {
  paymentId: string;
  /** null: everything that remains refundable. */
  amountMinor: bigint | null;
  reason: string | null;
  idempotencyKey: string;
  requestId: string;
}

export interface PaymentServiceDeps {
  db: Db;
  ledger: LedgerService;
  providers: ReadonlyMap<string, PaymentProvider>;
  risk: RiskServices;
  notifications: NotificationService;
  clock: () => Date;
  lagoEnabled: boolean;
  /** `block`: a refund may not take the wallet below zero (default); `allow_negative`: it may. */
  refundSpentCreditPolicy: 'block' | 'allow_negative';
  onWebhookSignatureFailure?: (provider: string) => void;
}

/** The Lago billing owner of a wallet (Lago keeps one customer per owner and currency). */
const billingOwner = (w: WalletRow) => ({
  ownerType: w.ownerType as OwnerType,
  ownerId: w.ownerId,
  currency: w.currency,
});

const REFUND_HOLD_TTL_MS = 7 * 24 * 3600 * 1000;
/** Provider errors that mean the refund certainly did not happen (the request was refused as such). */
const DEFINITE_REFUND_REFUSALS = new Set([
  'PROVIDER_INVALID_REQUEST',
  'PROVIDER_RESOURCE_MISSING',
  'REFUND_NOT_ALLOWED',
  'PROVIDER_AUTH',
  'UNKNOWN_PROVIDER',
]);
const NON_FINAL_PAYMENT = ['created', 'requires_action', 'processing', 'failed'];

function fromProviderStatus(s: ProviderPaymentStatus): PaymentStatus {
  switch (s) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'canceled';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'requires_action':
    case 'requires_confirmation':
      return 'requires_action';
    default:
      return 'created';
  }
}

/**
 * Top-ups, provider webhooks, refunds and reconciliation: orders → payments → wallet credit.
 *
 * Exactly-once credit rests on two things: the ledger posting is bound to `topup:<paymentId>` (a
 * replay is a no-op), and payment/order/refund states only move forward (state-machine.ts), so
 * duplicated, delayed and reordered provider events change nothing the second time.
 */
export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  get providerIds(): string[] {
    return [...this.deps.providers.keys()];
  }

  provider(id?: string): PaymentProvider {
    const chosen = id ?? this.providerIds[0];
    return getPaymentProvider(this.deps.providers, chosen ?? '(none configured)');
  }

  // ---------------------------------------------------------------- top-ups

  /**
   * Creates an order and a provider payment for a wallet top-up. Idempotent per organization and
   * client key: a replay returns the same order and client secret; the same key with another
   * amount, currency or wallet is IDEMPOTENCY_CONFLICT. Bad input fails before anything is written.
   */
  async createTopUp(input: CreateTopUpInput): Promise<TopUpResult> {
    const { db, ledger, risk } = this.deps;
    const currency = parseCurrency(input.currency);
    if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > 255)
      throw new ValidationError('idempotencyKey must be 1 to 255 characters', { param: 'idempotencyKey' });
    const provider = this.provider(input.provider);
    const hash = requestHash({
      owner: input.owner,
      currency,
      amountMinor: input.amountMinor,
      provider: provider.id,
    });

    const existing = await db.order.findUnique({
      where: {
        organizationId_idempotencyKey: {
          organizationId: input.organizationId,
          idempotencyKey: input.idempotencyKey,
        },
      },
      include: { payments: true },
    });
    if (existing) return this.replayTopUp(existing, hash, input.idempotencyKey);

    if (input.userId)
      await risk.payments.checkTopUpAllowed({
        userId: input.userId,
        organizationId: input.organizationId,
        currency,
        amountMinor: input.amountMinor,
        at: this.deps.clock(),
      });
    const wallet = await ledger.ensureWallet({
      organizationId: input.organizationId,
      ...input.owner,
      currency,
    });

    // The provider is called before any row exists: if it rejects the amount or currency, nothing
    // is written. A crash between the call and the insert leaves an unconfirmable provider
    // transaction whose client secret nobody received; its events find no payment and are ignored.
    const orderId = newId('ord');
    const paymentId = newId('pay');
    const created = await provider.createPayment({
      orderId,
      paymentId,
      amount: { amountMinor: input.amountMinor, currency },
      idempotencyKey: `pi-create:${paymentId}`,
      requestId: input.requestId,
      returnUrl: input.returnUrl,
      allowAlipay: true,
    });
    const status = fromProviderStatus(created.status);
    try {
      await db.$transaction(async (tx) => {
        await tx.order.create({
          data: {
            id: orderId,
            organizationId: input.organizationId,
            walletId: wallet.id,
            userId: input.userId,
            currency,
            amountMinor: input.amountMinor,
            creditNanos: minorToNanos(input.amountMinor, currency),
            provider: provider.id,
            status: 'pending',
            idempotencyKey: input.idempotencyKey,
            requestId: input.requestId,
            metadata: { requestHash: hash },
          },
        });
        await tx.payment.create({
          data: {
            id: paymentId,
            orderId,
            provider: provider.id,
            providerTxnId: created.providerTxnId,
            status,
            amountMinor: input.amountMinor,
            currency,
            metadata: {
              // Never the secret itself (client-secret.ts): a replay reads it from the provider.
              clientSecretSha256: created.clientSecret ? clientSecretDigest(created.clientSecret) : null,
              redirectUrl: created.redirectUrl ?? null,
              paymentMethods: [...created.availablePaymentMethods],
            },
          },
        });
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await db.order.findUnique({
        where: {
          organizationId_idempotencyKey: {
            organizationId: input.organizationId,
            idempotencyKey: input.idempotencyKey,
          },
        },
        include: { payments: true },
      });
      if (!winner) throw err;
      return this.replayTopUp(winner, hash, input.idempotencyKey);
    }
    return {
      orderId,
      paymentId,
      walletId: wallet.id,
      provider: provider.id,
      providerTxnId: created.providerTxnId,
      status,
      clientSecret: created.clientSecret ?? null,
      redirectUrl: created.redirectUrl ?? null,
      idempotencyHit: false,
    };
  }

  /**
   * The stored top-up for a replayed key. The client secret was never stored: it is read again from
   * the provider, for a payment that had one.
   * @throws IdempotencyConflictError; the provider's errors from `query`.
   */
  private async replayTopUp(
    order: { id: string; walletId: string; provider: string; metadata: unknown; payments: Payment[] },
    hash: string,
    key: string,
  ): Promise<TopUpResult> {
    if ((order.metadata as { requestHash?: string }).requestHash !== hash)
      throw new IdempotencyConflictError('createTopUp', key);
    const payment = order.payments[0]!;
    const meta = payment.metadata as { clientSecretSha256?: string | null; redirectUrl?: string | null };
    const clientSecret =
      meta.clientSecretSha256 && payment.providerTxnId
        ? ((await this.provider(payment.provider).query(payment.providerTxnId)).clientSecret ?? null)
        : null;
    return {
      orderId: order.id,
      paymentId: payment.id,
      walletId: order.walletId,
      provider: order.provider,
      providerTxnId: payment.providerTxnId ?? '',
      status: payment.status,
      clientSecret,
      redirectUrl: meta.redirectUrl ?? null,
      idempotencyHit: true,
    };
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * Verifies, records and processes one provider webhook. Every verified event is stored in
   * provider_events (unique per provider and event id) with its raw payload; a duplicate of a
   * processed event is acknowledged without effect. A processing failure is rethrown (→ 5xx) so the
   * provider retries; the stored event is then processed again on the next delivery.
   * @throws UnknownProviderError (404), WebhookSignatureError / WebhookPayloadError (400).
   */
  async handleWebhook(
    providerId: string,
    headers: WebhookHeaders,
    rawBody: Buffer,
  ): Promise<{ duplicate: boolean; type: string }> {
    const provider = this.provider(providerId);
    let event: NormalisedPaymentEvent;
    try {
      event = await provider.handleWebhook(headers, rawBody);
    } catch (err) {
      this.deps.onWebhookSignatureFailure?.(providerId);
      throw err;
    }
    const { db } = this.deps;
    let payload: object;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch {
      payload = { raw: rawBody.toString('utf8') };
    }
    const inserted = await db.providerEvent.createMany({
      data: [
        {
          id: newId('pev'),
          provider: provider.id,
          eventId: event.eventId,
          type: event.providerEventType,
          payload,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) {
      const prior = await db.providerEvent.findUniqueOrThrow({
        where: { provider_eventId: { provider: provider.id, eventId: event.eventId } },
      });
      if (prior.processedAt) return { duplicate: true, type: event.type };
    }
    try {
      await this.applyEvent(provider.id, event);
    } catch (err) {
      await db.providerEvent.update({
        where: { provider_eventId: { provider: provider.id, eventId: event.eventId } },
        data: {
          attempts: { increment: 1 },
          lastError: err instanceof Error ? err.message.slice(0, 2000) : String(err),
        },
      });
      throw err;
    }
    await db.providerEvent.update({
      where: { provider_eventId: { provider: provider.id, eventId: event.eventId } },
      data: { attempts: { increment: 1 }, processedAt: this.deps.clock(), lastError: null },
    });
    return { duplicate: false, type: event.type };
  }

  /** Applies a normalised event. Idempotent: safe to call again with the same event. */
  async applyEvent(providerId: string, event: NormalisedPaymentEvent): Promise<void> {
    switch (event.type) {
      case 'payment.succeeded': {
        const p = await this.findPayment(providerId, event);
        if (p) await this.markSucceeded(p, { event });
        return;
      }
      case 'payment.failed': {
        const p = await this.findPayment(providerId, event);
        if (p) await this.markFailed(p, event.failureCode ?? event.declineCode, event.failureMessage);
        return;
      }
      case 'payment.processing':
      case 'payment.canceled': {
        const p = await this.findPayment(providerId, event);
        if (!p) return;
        // Canceled is final (a later success is no longer credited): only on the provider's word.
        if (event.type === 'payment.canceled' && p.providerTxnId) {
          const q = await this.provider(providerId).query(p.providerTxnId);
          if (q.status !== 'canceled') {
            logger.warn(
              { paymentId: p.id, providerStatus: q.status },
              'cancellation reported but the provider does not confirm it; ignored',
            );
            return;
          }
        }
        await this.moveTo(p, event.type === 'payment.processing' ? 'processing' : 'canceled');
        return;
      }
      case 'refund.succeeded':
      case 'refund.failed': {
        const refund = await this.findOrAdoptRefund(providerId, event);
        if (!refund) return;
        if (event.type === 'refund.succeeded') await this.finalizeRefund(refund, 'succeeded', null);
        else await this.finalizeRefund(refund, 'failed', event.failureReason);
        return;
      }
      case 'refund.pending':
        await this.findOrAdoptRefund(providerId, event);
        return;
      case 'dispute.opened':
        await this.openDispute(providerId, event);
        return;
      case 'dispute.closed':
        await this.closeDispute(providerId, event);
        return;
      case 'ignored':
        logger.debug({ eventId: event.eventId, reason: event.reason }, 'provider event ignored');
        return;
    }
  }

  /**
   * The payment an event is about: by our payment id from the provider's metadata, else by the
   * provider's transaction id. An event naming our payment but another transaction is believed only
   * when the provider reports that transaction for the payment (a Stripe Checkout Session becomes a
   * PaymentIntent when paid; refunds and disputes name the new one and carry no payment id of ours,
   * so it is adopted). Otherwise the payment is frozen for review and the event changes nothing.
   */
  private async findPayment(
    provider: string,
    event: { eventId: string; paymentId: string | null; providerTxnId: string },
  ): Promise<Payment | null> {
    const { db } = this.deps;
    const { paymentId, providerTxnId } = event;
    const byId = paymentId ? await db.payment.findUnique({ where: { id: paymentId } }) : null;
    if (byId && byId.provider !== provider) {
      logger.warn({ provider, paymentId }, 'provider event names a payment of another provider; ignored');
      return null;
    }
    if (byId && providerTxnId && byId.providerTxnId !== providerTxnId) {
      if (await isOwnTransaction(this.provider(provider), byId.providerTxnId, providerTxnId))
        return db.payment.update({ where: { id: byId.id }, data: { providerTxnId } });
      await this.holdForReview(
        byId,
        {
          kind: MismatchKind.Transaction,
          source: 'event',
          expected: byId.providerTxnId ?? '',
          got: providerTxnId,
        },
        event.eventId,
      );
      return null;
    }
    const p =
      byId ??
      (await db.payment.findUnique({ where: { provider_providerTxnId: { provider, providerTxnId } } }));
    if (!p) logger.warn({ provider, providerTxnId }, 'provider event for an unknown payment ignored');
    return p;
  }

  /** A payment frozen for review and not credited: nothing credits it until an admin releases it. */
  private static awaitsReview(payment: Payment): boolean {
    return (payment.metadata as { review?: { state?: string } } | null)?.review?.state === 'pending';
  }

  /**
   * A provider event (or the provider's own record) disagreed with the payment: freeze it for review
   * and notify the platform admins; never credit from it. A payment not yet credited stays
   * uncredited while under review (markSucceeded refuses); a credited one has its credit frozen
   * (`mismatch:<paymentId>`) until `releaseReview`. Idempotent per payment and cause.
   */
  private async holdForReview(payment: Payment, m: Mismatch, cause: string | null): Promise<void> {
    const { db, ledger, notifications } = this.deps;
    const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
    logger.error(
      { paymentId: payment.id, providerEventId: cause, ...m },
      'provider event disagrees with the payment; frozen for review, nothing credited from it',
    );
    if (payment.status === 'succeeded')
      await ledger.freeze({
        walletId: order.walletId,
        amountNanos: order.creditNanos,
        idempotencyKey: `mismatch:${payment.id}`,
        metadata: { paymentId: payment.id, reason: m.kind },
      });
    await db.$transaction(async (tx) => {
      const current = await tx.payment.findUniqueOrThrow({ where: { id: payment.id } });
      if (!PaymentService.awaitsReview(current))
        await tx.payment.update({
          where: { id: payment.id },
          data: {
            metadata: {
              ...(current.metadata as object),
              review: { state: 'pending', reason: m.kind, credited: current.status === 'succeeded' },
            },
          },
        });
      await notifications.notify(tx, {
        type: 'payment_review_required',
        organizationId: null,
        dedupeKey: notificationKeys.paymentReviewRequired(payment.id, cause ?? m.kind),
        payload: {
          paymentId: payment.id,
          orderId: order.id,
          walletId: order.walletId,
          reason: m.kind,
          source: m.source,
          expected: m.expected,
          got: m.got,
          providerEventId: cause,
        },
      });
    });
  }

  /**
   * Credits a payment the provider reports succeeded. What is credited is the order's amount, and
   * only once the provider's own record (`query`, or `known` when the caller just read it) confirms
   * success for that amount and currency; the event, when there is one, must agree too
   * (event-trust.ts). A disagreement freezes the payment for review; a provider that cannot be asked
   * throws, so the event is delivered again.
   */
  private async markSucceeded(
    payment: Payment,
    source: { event: PaymentSucceededEvent; known?: undefined } | { event?: undefined; known: QueryResult },
  ): Promise<void> {
    if (payment.status === 'succeeded') {
      // A retry after a crash between the status update and the dispute freeze below.
      await this.freezeOpenDisputes(payment.id);
      return;
    }
    if (payment.status === 'canceled') {
      logger.error(
        { paymentId: payment.id },
        'provider reports success for a canceled payment; not credited',
      );
      return;
    }
    if (PaymentService.awaitsReview(payment)) {
      logger.warn({ paymentId: payment.id }, 'payment under review; success not credited until released');
      return;
    }
    if (!payment.providerTxnId) return;
    const { db, ledger, risk, notifications } = this.deps;
    const claim = source.event ?? null;
    const confirmation = await confirmSuccess(
      this.provider(payment.provider),
      { ...payment, providerTxnId: payment.providerTxnId },
      claim,
      source.known,
    );
    if (confirmation.kind === 'mismatch') {
      await this.holdForReview(payment, confirmation.mismatch, claim?.eventId ?? null);
      return;
    }
    if (confirmation.kind === 'unconfirmed') {
      logger.warn(
        { paymentId: payment.id, providerStatus: confirmation.query.status },
        'success reported but the provider does not confirm it; not credited',
      );
      return;
    }
    if (confirmation.providerTxnId !== payment.providerTxnId)
      await db.payment.update({
        where: { id: payment.id },
        data: { providerTxnId: confirmation.providerTxnId },
      });
    // Webhook payloads never expand the charge, so the risk outcome comes from the provider's record.
    const outcome = {
      amountReceivedMinor: payment.amountMinor,
      riskLevel: confirmation.query.riskLevel ?? claim?.riskLevel ?? null,
      riskScore: claim?.riskScore ?? null,
    };
    const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
    const wallet = await ledger.getWallet(order.walletId);
    const decision = await risk.payments.decideCredit({
      organizationId: order.organizationId,
      userId: order.userId,
      riskLevel: outcome.riskLevel,
      riskScore: outcome.riskScore,
    });
    // The order's amount, never what an event says: confirmSuccess checked the provider received it.
    const creditNanos = order.creditNanos;
    // Idempotent on the payment id: a second delivery, a reconciliation run or a crash-and-retry
    // finds the posting already made.
    const credit = await ledger.creditTopUp({
      walletId: wallet.id,
      amountNanos: creditNanos,
      paymentId: payment.id,
      idempotencyKey: `topup:${payment.id}`,
      provider: payment.provider,
    });
    if (decision.credit === 'hold_for_review')
      await ledger.freeze({
        walletId: wallet.id,
        amountNanos: creditNanos,
        idempotencyKey: `review:${payment.id}`,
        metadata: { paymentId: payment.id, reason: decision.reason },
      });
    const won = await db.$transaction(async (tx) => {
      const n = await tx.payment.updateMany({
        where: { id: payment.id, status: { not: 'succeeded' } },
        data: {
          status: 'succeeded',
          succeededAt: this.deps.clock(),
          riskLevel: outcome.riskLevel,
          riskScore: outcome.riskScore,
          creditTransactionId: credit.transactionId,
          failureCode: null,
          failureMessage: null,
          metadata: {
            ...(payment.metadata as object),
            review:
              decision.credit === 'hold_for_review' ? { state: 'pending', reason: decision.reason } : null,
          },
        },
      });
      if (n.count === 0) return false;
      await tx.order.update({ where: { id: order.id }, data: { status: 'paid' } });
      if (this.deps.lagoEnabled)
        await enqueueLagoTopUp(tx, {
          paymentId: payment.id,
          owner: billingOwner(wallet),
        });
      await notifications.notify(tx, {
        type: 'payment_succeeded',
        organizationId: order.organizationId,
        dedupeKey: notificationKeys.paymentSucceeded(payment.id),
        payload: {
          paymentId: payment.id,
          orderId: order.id,
          walletId: wallet.id,
          currency: payment.currency,
          amountMinor: String(outcome.amountReceivedMinor),
        },
      });
      return true;
    });
    // Another success path (a second delivery, the reconciler) marked the payment succeeded first,
    // without review (it could not read the risk outcome), while this one froze the credit.
    if (!won && decision.credit === 'hold_for_review')
      await this.recordPendingReview(payment.id, decision.reason, outcome);
    await this.freezeOpenDisputes(payment.id);
  }

  /**
   * Records a review for a payment whose credit was frozen under `review:<paymentId>` although the
   * update that marked it succeeded did not say so, or the operator could never see nor release the
   * freeze. One statement: concurrent metadata survives, and a review already recorded (pending, or
   * released) is kept.
   */
  private async recordPendingReview(
    paymentId: string,
    reason: string | null,
    outcome: { riskLevel: string | null; riskScore: number | null },
  ): Promise<void> {
    const review = JSON.stringify({ state: 'pending', reason });
    const n = await this.deps.db.$executeRaw`
      UPDATE "payments"
         SET "metadata" = jsonb_set("metadata", '{review}', ${review}::jsonb),
             "riskLevel" = COALESCE("riskLevel", ${outcome.riskLevel}::text),
             "riskScore" = COALESCE("riskScore", ${outcome.riskScore}::int),
             "updatedAt" = ${this.deps.clock().toISOString()}::timestamp(3)
       WHERE "id" = ${paymentId}
         AND jsonb_typeof(COALESCE("metadata" -> 'review', 'null'::jsonb)) = 'null'`;
    if (n > 0) logger.warn({ paymentId }, 'a concurrent success without review won; review recorded');
  }

  private async markFailed(payment: Payment, code: string | null, message: string | null) {
    const { db, notifications } = this.deps;
    if (!canMovePayment(payment.status, 'failed')) return;
    await db.$transaction(async (tx) => {
      const n = await tx.payment.updateMany({
        where: { id: payment.id, status: { notIn: ['succeeded', 'canceled'] } },
        data: { status: 'failed', failureCode: code, failureMessage: message },
      });
      if (n.count === 0) return;
      const order = await tx.order.update({ where: { id: payment.orderId }, data: { status: 'failed' } });
      await notifications.notify(tx, {
        type: 'payment_failed',
        organizationId: order.organizationId,
        dedupeKey: notificationKeys.paymentFailed(payment.id),
        payload: {
          paymentId: payment.id,
          orderId: order.id,
          walletId: order.walletId,
          currency: payment.currency,
          amountMinor: String(payment.amountMinor),
          failureCode: code,
          failureMessage: message,
        },
      });
    });
  }

  private async moveTo(payment: Payment, to: 'processing' | 'canceled') {
    if (!canMovePayment(payment.status, to)) return;
    await this.deps.db.$transaction(async (tx) => {
      const n = await tx.payment.updateMany({
        where: { id: payment.id, status: { notIn: ['succeeded', 'canceled'] } },
        data: { status: to },
      });
      if (n.count)
        await tx.order.update({ where: { id: payment.orderId }, data: { status: orderStatusFor(to) } });
    });
  }

  /**
   * Admin decision on a payment under review: a frozen credit (risk review, or a mismatching event
   * after the credit) goes to the wallet. A payment frozen before it was credited is then asked about
   * again: credited only if the provider's own record confirms the order's amount and currency (a
   * disagreeing record puts it back under review).
   */
  async releaseReview(paymentId: string): Promise<void> {
    const { db, ledger } = this.deps;
    const payment = await db.payment.findUnique({ where: { id: paymentId } });
    if (!payment || !PaymentService.awaitsReview(payment))
      throw new NotFoundError('Payment under review', paymentId);
    const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
    const holds = await db.hold.findMany({
      where: {
        walletId: order.walletId,
        idempotencyKey: { in: [`review:${paymentId}`, `mismatch:${paymentId}`] },
        status: 'active',
      },
    });
    for (const hold of holds) await ledger.unfreeze({ holdId: hold.id, reason: 'review_released' });
    const released = await db.payment.update({
      where: { id: paymentId },
      data: { metadata: { ...(payment.metadata as object), review: { state: 'released' } } },
    });
    if (released.status !== 'succeeded' && released.providerTxnId) {
      const q = await this.provider(released.provider).query(released.providerTxnId);
      if (q.status === 'succeeded') await this.markSucceeded(released, { known: q });
    }
  }

  // ---------------------------------------------------------------- refunds

  /**
   * Refunds part or all of a succeeded payment. The amount is reserved on the wallet (a hold) until
   * the provider confirms, then the ledger posts the refund and releases the hold; a failed refund
   * just releases it. Never more than was paid: REFUND_EXCEEDS_REMAINING. With the `block` policy,
   * never more than the wallet's unspent balance: REFUND_EXCEEDS_UNSPENT_BALANCE.
   */
  async refundPayment(input: RefundPaymentInput): Promise<Refund> {
    const { db, ledger } = this.deps;
    if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > 255)
      throw new ValidationError('idempotencyKey must be 1 to 255 characters', { param: 'idempotencyKey' });
    const payment = await db.payment.findUnique({ where: { id: input.paymentId }, include: { order: true } });
    if (!payment) throw new NotFoundError('Payment', input.paymentId);
    const prior = await db.refund.findUnique({
      where: { paymentId_idempotencyKey: { paymentId: payment.id, idempotencyKey: input.idempotencyKey } },
    });
    if (prior) {
      if (input.amountMinor !== null && prior.amountMinor !== input.amountMinor)
        throw new IdempotencyConflictError('refundPayment', input.idempotencyKey);
      // The earlier attempt never reached a provider answer (crash, timeout): ask again, same key.
      if (prior.status === 'pending' && !prior.providerRefundId)
        return this.submitRefund(prior, payment, prior.reason);
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
        enforceAvailable: this.deps.refundSpentCreditPolicy === 'block',
        metadata: { refundId, paymentId: payment.id },
      });
      holdId = hold.holdId;
    } catch (err) {
      if ((err as { code?: string }).code === 'INSUFFICIENT_FUNDS')
        throw new RefundExceedsUnspentBalanceError();
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
      return db.refund.findUniqueOrThrow({
        where: { paymentId_idempotencyKey: { paymentId: payment.id, idempotencyKey: input.idempotencyKey } },
      });
    }

    return this.submitRefund(refund, payment, input.reason);
  }

  /**
   * Asks the provider to refund (idempotent on `refund:<refundId>`, so a retry can never refund twice).
   * Only a definite refusal fails the refund and frees its hold. Anything ambiguous — a timeout, a
   * dropped connection, a 5xx, an idempotency conflict — may mean the provider DID refund: the refund
   * stays pending with its hold, and the provider's event (or a retry with the same key) settles it.
   */
  private async submitRefund(refund: Refund, payment: Payment, reason: string | null): Promise<Refund> {
    let result: Awaited<ReturnType<PaymentProvider['refund']>>;
    try {
      result = await this.provider(payment.provider).refund({
        providerTxnId: payment.providerTxnId!,
        amountMinor: refund.amountMinor,
        reason,
        idempotencyKey: `refund:${refund.id}`,
        refundId: refund.id,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (DEFINITE_REFUND_REFUSALS.has(code))
        await this.finalizeRefund(refund, 'failed', err instanceof Error ? err.message.slice(0, 500) : code);
      throw err;
    }
    const updated = await this.deps.db.refund.update({
      where: { id: refund.id },
      data: { providerRefundId: result.providerRefundId },
    });
    if (result.status === 'succeeded') return this.finalizeRefund(updated, 'succeeded', null);
    if (result.status === 'failed' || result.status === 'canceled')
      return this.finalizeRefund(updated, result.status, null);
    return updated;
  }

  private async findOrAdoptRefund(
    provider: string,
    event: RefundSucceededEvent | RefundFailedEvent | RefundPendingEvent,
  ): Promise<Refund | null> {
    const { db } = this.deps;
    const byId = event.refundId ? await db.refund.findUnique({ where: { id: event.refundId } }) : null;
    const known =
      byId ?? (await db.refund.findFirst({ where: { providerRefundId: event.providerRefundId } }));
    if (known) {
      // Our refund's id in a signed event proves nothing about the charge: it must be the refund's own.
      if (!(await this.refundEventMatches(provider, known, event))) return null;
      if (!known.providerRefundId)
        return db.refund.update({
          where: { id: known.id },
          data: { providerRefundId: event.providerRefundId },
        });
      return known;
    }
    // A refund made outside Tollgate (e.g. in the provider's dashboard): adopt it, so the ledger
    // still reflects money that left.
    const payment = await this.findPayment(provider, event);
    if (!payment) return null;
    const remaining = payment.amountMinor - payment.amountRefundedMinor;
    const m: Mismatch | null =
      event.currency !== payment.currency
        ? { kind: MismatchKind.Currency, source: 'event', expected: payment.currency, got: event.currency }
        : event.amountMinor <= 0n || event.amountMinor > remaining
          ? {
              kind: MismatchKind.Amount,
              source: 'event',
              expected: `at most ${remaining}`,
              got: String(event.amountMinor),
            }
          : null;
    if (m) {
      await this.holdForReview(payment, m, event.eventId);
      return null;
    }
    // A refund we did not make takes money from the wallet: only when the provider has it, as told.
    const found = payment.providerTxnId
      ? await this.provider(provider).findRefund({
          providerTxnId: payment.providerTxnId,
          providerRefundId: event.providerRefundId,
          refundId: '',
        })
      : null;
    if (found?.amountMinor !== event.amountMinor) {
      await this.holdForReview(
        payment,
        {
          kind: MismatchKind.Amount,
          source: 'provider',
          expected: String(event.amountMinor),
          got: found ? String(found.amountMinor) : 'no such refund',
        },
        event.eventId,
      );
      return null;
    }
    try {
      return await db.refund.create({
        data: {
          id: newId('ref'),
          paymentId: payment.id,
          providerRefundId: event.providerRefundId,
          amountMinor: event.amountMinor,
          currency: payment.currency,
          status: 'pending',
          reason: 'external',
          idempotencyKey: `external:${event.providerRefundId}`,
        },
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return db.refund.findFirstOrThrow({ where: { providerRefundId: event.providerRefundId } });
    }
  }

  /**
   * Whether a refund event is about this refund of ours: same transaction (or the one the provider
   * reports for the payment), amount and currency. Otherwise its payment is frozen for review.
   */
  private async refundEventMatches(
    provider: string,
    refund: Refund,
    event: RefundSucceededEvent | RefundFailedEvent | RefundPendingEvent,
  ): Promise<boolean> {
    const payment = await this.deps.db.payment.findUniqueOrThrow({ where: { id: refund.paymentId } });
    const own =
      payment.provider === provider &&
      (await isOwnTransaction(this.provider(provider), payment.providerTxnId, event.providerTxnId));
    const m = claimMismatch(
      { providerTxnId: payment.providerTxnId, amountMinor: refund.amountMinor, currency: refund.currency },
      own ? [event.providerTxnId] : [payment.providerTxnId ?? ''],
      event,
    );
    if (m) await this.holdForReview(payment, m, event.eventId);
    return m === null;
  }

  /** Moves a pending refund to its final state, posting the ledger refund on success. Idempotent. */
  private async finalizeRefund(
    refund: Refund,
    to: 'succeeded' | 'failed' | 'canceled',
    failureReason: string | null,
  ) {
    const { db, ledger, notifications } = this.deps;
    // Whatever arrives for a failed refund, it must not keep a debit (see creditBackIfDebited).
    if (refund.status === 'failed') {
      await this.creditBackIfDebited(refund);
      return refund;
    }
    if (!canMoveRefund(refund.status, to)) return refund;
    if (refund.status === 'succeeded') return this.failSucceededRefund(refund, failureReason);
    const payment = await db.payment.findUniqueOrThrow({
      where: { id: refund.paymentId },
      include: { order: true },
    });
    const walletId = payment.order.walletId;
    const hold = await db.hold.findUnique({
      where: { walletId_idempotencyKey: { walletId, idempotencyKey: `refund:${refund.id}` } },
    });
    let reversalTransactionId: string | null = null;
    let wallet: WalletRow | null = null;
    // Debit first, release the reservation after: the refunded amount never looks spendable in between.
    if (to === 'succeeded') {
      const posted = await ledger.debitRefund({
        walletId,
        amountNanos: minorToNanos(refund.amountMinor, refund.currency),
        paymentId: payment.id,
        refundId: refund.id,
        idempotencyKey: `refund:${refund.id}`,
        provider: payment.provider,
        // The provider has already returned the money: the ledger must follow, whatever the policy.
        allowNegative: true,
      });
      reversalTransactionId = posted.transactionId;
    }
    if (hold?.status === 'active') await ledger.release({ holdId: hold.id, reason: `refund_${to}` });
    if (to === 'succeeded') wallet = await ledger.getWallet(walletId);
    const moved = await db.$transaction(async (tx) => {
      const n = await tx.refund.updateMany({
        where: { id: refund.id, status: 'pending' },
        data: { status: to, failureReason, reversalTransactionId },
      });
      if (n.count === 0) return tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
      if (to === 'succeeded' && wallet) {
        await tx.payment.update({
          where: { id: payment.id },
          data: { amountRefundedMinor: { increment: refund.amountMinor } },
        });
        if (this.deps.lagoEnabled)
          await enqueueLagoRefund(tx, {
            refundId: refund.id,
            owner: billingOwner(wallet),
          });
        await notifications.notify(tx, {
          type: 'refund_succeeded',
          organizationId: payment.order.organizationId,
          dedupeKey: notificationKeys.refundSucceeded(refund.id),
          payload: {
            refundId: refund.id,
            paymentId: payment.id,
            currency: refund.currency,
            amountMinor: String(refund.amountMinor),
          },
        });
      }
      return tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
    });
    // A failure got there first while this success posted its debit from a stale `pending` read:
    // the debit must go back.
    if (moved.status === 'failed') await this.creditBackIfDebited(moved);
    // A concurrent success (webhook and synchronous answer racing) got there first: the failure
    // still applies, now as a failure after success.
    if (to === 'failed' && moved.status === 'succeeded')
      return this.failSucceededRefund(moved, failureReason);
    return moved;
  }

  /**
   * The invariant of a failed refund: it keeps no ledger debit. If `refund:<refundId>` was posted
   * (it succeeded first, or a stale success raced the failure), it is reversed, bound to
   * `refund-failed:<refundId>`, so any number of calls credit back once. Returns the reversal's id.
   */
  private async creditBackIfDebited(refund: Refund): Promise<string | null> {
    const { db, ledger } = this.deps;
    const debit = await db.ledgerTransaction.findFirst({
      where: { reason: 'refund', idempotencyKey: `refund:${refund.id}` },
      select: { id: true },
    });
    if (!debit) return null;
    const reversal = await ledger.reverse({
      transactionId: debit.id,
      idempotencyKey: `refund-failed:${refund.id}`,
      description: `refund ${refund.id} failed after it succeeded`,
    });
    return reversal.transactionId;
  }

  /**
   * A refund that succeeded and is now reported failed by the provider (Stripe: the card or bank
   * account was closed; the money stays with us). The wallet gets the credit back: the refund's
   * ledger debit is reversed, bound to `refund-failed:<refundId>`, and the refund moves
   * succeeded → failed once, taking its amount off `payments.amountRefundedMinor`. Replays, and a
   * crash between the two steps, change nothing more (the reversal is idempotent, the move guarded).
   * Lago has no way to take back a voided credit or a credit note refund, so an already mirrored
   * refund is logged for an operator; a not yet delivered one is dead-lettered by its handler
   * (it only mirrors succeeded refunds), which is right: Lago never took the credits.
   */
  private async failSucceededRefund(refund: Refund, failureReason: string | null): Promise<Refund> {
    const { db } = this.deps;
    const reversalId = await this.creditBackIfDebited(refund);
    const reason = failureReason ?? 'unknown';
    const { updated, moved } = await db.$transaction(async (tx) => {
      const n = await tx.refund.updateMany({
        where: { id: refund.id, status: 'succeeded' },
        data: { status: 'failed', failureReason: reason },
      });
      if (n.count === 1)
        await tx.payment.update({
          where: { id: refund.paymentId },
          data: { amountRefundedMinor: { decrement: refund.amountMinor } },
        });
      return {
        updated: await tx.refund.findUniqueOrThrow({ where: { id: refund.id } }),
        moved: n.count === 1,
      };
    });
    if (!moved) return updated;
    logger.warn(
      {
        refundId: refund.id,
        paymentId: refund.paymentId,
        failureReason: reason,
        reversalId,
      },
      'refund failed after it succeeded; credit given back to the wallet',
    );
    if (this.deps.lagoEnabled) {
      const mirrored = await db.externalMapping.findFirst({
        where: { entityType: 'refund', entityId: refund.id, scope: 'refund', syncState: 'synced' },
        select: { id: true },
      });
      if (mirrored)
        logger.error(
          { refundId: refund.id, paymentId: refund.paymentId },
          'Lago already took the credits of this refund and cannot undo it; restore them in Lago by hand',
        );
    }
    return updated;
  }

  // ---------------------------------------------------------------- disputes

  private async openDispute(provider: string, event: DisputeOpenedEvent) {
    const { db } = this.deps;
    const payment = await this.findPayment(provider, event);
    if (!payment) return;
    const m: Mismatch | null =
      event.currency !== payment.currency
        ? { kind: MismatchKind.Currency, source: 'event', expected: payment.currency, got: event.currency }
        : event.amountMinor <= 0n || event.amountMinor > payment.amountMinor
          ? {
              kind: MismatchKind.Amount,
              source: 'event',
              expected: `at most ${payment.amountMinor}`,
              got: String(event.amountMinor),
            }
          : null;
    if (m) {
      await this.holdForReview(payment, m, event.eventId);
      return;
    }
    const existing = await db.dispute.findUnique({ where: { providerDisputeId: event.providerDisputeId } });
    if (!existing) await this.recordDispute(payment, event);
    // Stripe does not order events: a dispute can arrive before the payment's success. It then
    // freezes nothing (nothing is credited yet), and the credit, when it lands, is frozen by
    // markSucceeded. This covers a credit that landed while the dispute was being recorded.
    await this.freezeOpenDisputes(payment.id);
  }

  private async recordDispute(payment: Payment, event: DisputeOpenedEvent) {
    const { db, ledger, risk, notifications } = this.deps;
    const order = await db.order.findUniqueOrThrow({ where: { id: payment.orderId } });
    const disputeId = newId('dsp');
    const freezeNanos = await risk.payments.disputeFreezeNanos({
      organizationId: order.organizationId,
      disputedAmountMinor: event.amountMinor,
      paymentAmountMinor: payment.amountMinor,
      creditedNanos: payment.status === 'succeeded' ? order.creditNanos : 0n,
    });
    const frozen =
      freezeNanos > 0n
        ? await ledger.freeze({
            walletId: order.walletId,
            amountNanos: freezeNanos,
            idempotencyKey: `dispute:${event.providerDisputeId}`,
            metadata: { paymentId: payment.id, providerDisputeId: event.providerDisputeId },
          })
        : null;
    await db.$transaction(async (tx) => {
      const n = await tx.dispute.createMany({
        data: [
          {
            id: disputeId,
            paymentId: payment.id,
            providerDisputeId: event.providerDisputeId,
            amountMinor: event.amountMinor,
            currency: event.currency,
            status: 'open',
            reason: event.reason,
            freezeHoldId: frozen?.holdId ?? null,
          },
        ],
        skipDuplicates: true,
      });
      if (n.count === 0) return;
      await notifications.notify(tx, {
        type: 'dispute_opened',
        organizationId: order.organizationId,
        dedupeKey: notificationKeys.disputeOpened(disputeId),
        payload: {
          disputeId,
          paymentId: payment.id,
          currency: event.currency,
          amountMinor: String(event.amountMinor),
          reason: event.reason,
          frozenNanos: String(freezeNanos),
        },
      });
    });
  }

  /**
   * Freezes the disputed share of a succeeded payment's credit for each of its open disputes that
   * froze nothing because they were recorded before the credit. Idempotent (`dispute:<id>`). A
   * dispute closed meanwhile may not have seen this freeze: closeDispute sets the status, then
   * releases the hold it reads; this sets the hold, then reads the status. One of the two sees the
   * other, so the freeze never outlives the dispute.
   */
  private async freezeOpenDisputes(paymentId: string) {
    const { db, ledger, risk } = this.deps;
    const open = await db.dispute.findMany({
      where: { paymentId, status: 'open', freezeHoldId: null },
      include: { payment: { include: { order: true } } },
    });
    for (const { payment, ...dispute } of open) {
      if (payment.status !== 'succeeded') return;
      const freezeNanos = await risk.payments.disputeFreezeNanos({
        organizationId: payment.order.organizationId,
        disputedAmountMinor: dispute.amountMinor,
        paymentAmountMinor: payment.amountMinor,
        creditedNanos: payment.order.creditNanos,
      });
      if (freezeNanos === 0n) continue;
      const frozen = await ledger.freeze({
        walletId: payment.order.walletId,
        amountNanos: freezeNanos,
        idempotencyKey: `dispute:${dispute.providerDisputeId}`,
        metadata: { paymentId, providerDisputeId: dispute.providerDisputeId },
      });
      await db.dispute.updateMany({
        where: { id: dispute.id, freezeHoldId: null },
        data: { freezeHoldId: frozen.holdId },
      });
      const now = await db.dispute.findUniqueOrThrow({ where: { id: dispute.id } });
      if (now.status !== 'open') await this.releaseDisputeFreeze(now.freezeHoldId, now.status);
    }
  }

  private async releaseDisputeFreeze(holdId: string | null, outcome: string) {
    if (!holdId) return;
    const hold = await this.deps.db.hold.findUnique({ where: { id: holdId } });
    if (hold?.status === 'active') await this.deps.ledger.unfreeze({ holdId, reason: `dispute_${outcome}` });
  }

  /**
   * A decided dispute: the frozen credit is unfrozen either way; when the dispute is lost the
   * disputed amount also leaves the wallet (the cardholder got the money back), posted once on
   * `dispute-lost:<id>` and allowed to take the wallet negative — the money is already gone.
   */
  private async closeDispute(provider: string, event: DisputeClosedEvent) {
    const { db, ledger } = this.deps;
    const dispute = await db.dispute.findUnique({
      where: { providerDisputeId: event.providerDisputeId },
      include: { payment: { include: { order: true } } },
    });
    if (!dispute) {
      logger.warn({ providerDisputeId: event.providerDisputeId }, 'close of an unknown dispute ignored');
      return;
    }
    const own =
      dispute.payment.provider === provider &&
      (await isOwnTransaction(this.provider(provider), dispute.payment.providerTxnId, event.providerTxnId));
    const m = claimMismatch(
      { providerTxnId: null, amountMinor: dispute.amountMinor, currency: dispute.currency },
      own ? [event.providerTxnId] : [dispute.payment.providerTxnId ?? ''],
      event,
    );
    if (m) {
      await this.holdForReview(dispute.payment, m, event.eventId);
      return;
    }
    if (dispute.status === 'won' || dispute.status === 'lost') {
      // Replays (and a retry after a crash before the release below) only make sure it is released.
      await this.releaseDisputeFreeze(dispute.freezeHoldId, dispute.status);
      return;
    }
    if (event.outcome === 'lost')
      await ledger.debitRefund({
        walletId: dispute.payment.order.walletId,
        amountNanos: minorToNanos(dispute.amountMinor, dispute.currency),
        paymentId: dispute.paymentId,
        idempotencyKey: `dispute-lost:${dispute.id}`,
        provider: dispute.payment.provider,
        allowNegative: true,
        description: `dispute ${dispute.providerDisputeId} lost`,
      });
    await db.dispute.updateMany({
      where: { id: dispute.id, status: { notIn: ['won', 'lost'] } },
      data: { status: event.outcome },
    });
    // After the status moved, read the hold again: a credit landing concurrently may have just
    // frozen it (see freezeOpenDisputes).
    const closed = await db.dispute.findUniqueOrThrow({ where: { id: dispute.id } });
    await this.releaseDisputeFreeze(closed.freezeHoldId, closed.status);
  }

  // ---------------------------------------------------------------- reconciliation

  /**
   * Asks the provider about payments stuck in a non-final state for longer than `olderThanMs`, so
   * a lost webhook never loses a top-up. Returns the ids whose state changed.
   */
  async reconcileStuckPayments(opts: { olderThanMs: number; limit?: number }): Promise<string[]> {
    const { db } = this.deps;
    const now = this.deps.clock().getTime();
    const stuck = await db.payment.findMany({
      where: {
        status: { in: NON_FINAL_PAYMENT },
        providerTxnId: { not: null },
        provider: { in: this.providerIds },
        updatedAt: { lt: new Date(now - opts.olderThanMs) },
        createdAt: { gt: new Date(now - 30 * 24 * 3600 * 1000) },
      },
      orderBy: { updatedAt: 'asc' },
      take: opts.limit ?? 100,
    });
    const changed: string[] = [];
    for (const p of stuck) {
      try {
        const q = await this.provider(p.provider).query(p.providerTxnId!);
        if (q.status === 'succeeded') {
          await this.markSucceeded(p, { known: q });
          changed.push(p.id);
        } else if (q.status === 'canceled') {
          await this.moveTo(p, 'canceled');
          changed.push(p.id);
        } else {
          // Still in flight: look again after another threshold, not on every run.
          await db.payment.update({ where: { id: p.id }, data: { updatedAt: new Date(now) } });
        }
      } catch (err) {
        logger.warn({ err, paymentId: p.id }, 'payment reconciliation failed for one payment');
      }
    }
    return changed;
  }

  /**
   * Settles refunds the provider's events never settled. For each refund still `pending` after
   * `olderThanMs` (created within 30 days), the provider is asked where it stands (`findRefund`):
   * - found: its id is recorded and a final state applied through finalizeRefund (the same idempotent
   *   path as the webhooks); still in flight at the provider: looked at again after another threshold;
   * - not found and we never got a provider id: the create request never reached the provider (an
   *   ambiguous error kept it pending), so it is submitted again with the same key `refund:<id>`;
   * - not found although we have a provider id: should not happen; logged for an operator.
   * It also releases the reservation of a final refund whose hold is still active (finalizeRefund
   * debits, then releases: a crash in between leaves the hold). Returns the ids of refunds it changed.
   */
  async reconcileStuckRefunds(opts: { olderThanMs: number; limit?: number }): Promise<string[]> {
    const { db } = this.deps;
    const now = this.deps.clock();
    const changed = await this.releaseHoldsOfFinalRefunds(opts.limit ?? 100);
    const stuck = await db.refund.findMany({
      where: {
        status: 'pending',
        payment: { provider: { in: this.providerIds }, providerTxnId: { not: null } },
        updatedAt: { lt: new Date(now.getTime() - opts.olderThanMs) },
        createdAt: { gt: new Date(now.getTime() - 30 * 24 * 3600 * 1000) },
      },
      include: { payment: true },
      orderBy: { updatedAt: 'asc' },
      take: opts.limit ?? 100,
    });
    for (const { payment, ...refund } of stuck) {
      try {
        // Claim it: every process runs this loop, and only one may resubmit a refund. The claim also
        // means it is looked at again only after another threshold, whatever happens below.
        const claimed = await db.refund.updateMany({
          where: { id: refund.id, status: 'pending', updatedAt: refund.updatedAt },
          data: { updatedAt: now },
        });
        if (claimed.count === 0) continue;
        if (await this.reconcileRefund(refund, payment)) changed.push(refund.id);
      } catch (err) {
        logger.warn({ err, refundId: refund.id }, 'refund reconciliation failed for one refund');
        const after = await db.refund.findUnique({ where: { id: refund.id }, select: { status: true } });
        if (after && after.status !== 'pending') changed.push(refund.id);
      }
    }
    return changed;
  }

  /** One stuck refund; true when its state changed. */
  private async reconcileRefund(refund: Refund, payment: Payment): Promise<boolean> {
    const found = await this.provider(payment.provider).findRefund({
      providerTxnId: payment.providerTxnId!,
      providerRefundId: refund.providerRefundId,
      refundId: refund.id,
    });
    if (!found) {
      if (refund.providerRefundId) {
        logger.error(
          { refundId: refund.id, providerRefundId: refund.providerRefundId, paymentId: payment.id },
          'pending refund unknown to its provider although it has a provider id; check it by hand',
        );
        return false;
      }
      // The create request never reached the provider: submit it again, same key. Stripe keeps keys
      // for 24 h; an older refund gets a fresh create under the old key, which is still safe because
      // the lookup above just said the provider has no refund carrying our id. submitRefund shares
      // the outcome handling (definite refusal → failed and released; ambiguous → stays pending).
      const after = await this.submitRefund(refund, payment, refund.reason);
      return after.status !== 'pending' || after.providerRefundId !== null;
    }
    let current = refund;
    if (!refund.providerRefundId)
      current = await this.deps.db.refund.update({
        where: { id: refund.id },
        data: { providerRefundId: found.providerRefundId },
      });
    if (found.status === 'succeeded' || found.status === 'failed' || found.status === 'canceled') {
      const after = await this.finalizeRefund(current, found.status, found.failureReason ?? null);
      return after.status !== refund.status || current !== refund;
    }
    // Still in flight at the provider (pending, requires_action): the claim already pushed it back.
    return current !== refund;
  }

  /**
   * Releases up to `limit` `refund:<id>` holds still active although their refund is final. One
   * query for the active refund holds (few: one per pending refund, plus any leftover), one for
   * their refunds.
   */
  private async releaseHoldsOfFinalRefunds(limit: number): Promise<string[]> {
    const { db, ledger } = this.deps;
    const holds = await db.hold.findMany({
      where: { status: 'active', idempotencyKey: { startsWith: 'refund:' } },
      select: { id: true, idempotencyKey: true },
    });
    if (holds.length === 0) return [];
    const refundIdOf = (key: string) => key.slice('refund:'.length);
    const final = await db.refund.findMany({
      where: {
        id: { in: holds.map((h) => refundIdOf(h.idempotencyKey)) },
        status: { in: ['succeeded', 'failed', 'canceled'] },
      },
      select: { id: true, status: true },
    });
    const statusOf = new Map(final.map((r) => [r.id, r.status]));
    const released: string[] = [];
    for (const h of holds) {
      const status = statusOf.get(refundIdOf(h.idempotencyKey));
      if (!status) continue;
      if (released.length >= limit) break;
      try {
        await ledger.release({ holdId: h.id, reason: `refund_${status}` });
        logger.warn(
          { refundId: refundIdOf(h.idempotencyKey), holdId: h.id },
          'released the hold of a final refund',
        );
        released.push(refundIdOf(h.idempotencyKey));
      } catch (err) {
        logger.warn({ err, holdId: h.id }, 'could not release the hold of a final refund');
      }
    }
    return released;
  }

  /** Authorisation helper for GraphQL: the payment's organization. */
  async organizationOfPayment(paymentId: string): Promise<string> {
    const p = await this.deps.db.payment.findUnique({ where: { id: paymentId }, include: { order: true } });
    if (!p) throw new NotFoundError('Payment', paymentId);
    return p.order.organizationId;
  }

  assertOwnerInOrg(organizationId: string, owner: { ownerType: OwnerType; ownerId: string }) {
    if (owner.ownerType === 'organization' && owner.ownerId !== organizationId)
      throw new ForbiddenError('Wallet owner is outside the organization');
  }
}
