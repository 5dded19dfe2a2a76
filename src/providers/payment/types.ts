/**
 * The payment provider plugin contract. A provider turns our intent to charge into a provider
 * transaction, verifies and normalises the provider's webhooks, refunds, and reads a transaction's
 * state. Providers never touch the database: the payments flow records what they return.
 *
 * Amounts are integer minor units (`bigint`), currencies are ISO 4217 upper case.
 */

/** Amount in minor units of `currency` (upper-case ISO 4217). Structural, so `Money` value objects fit. */
export interface MoneyLike {
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** Provider-neutral transaction status. `requires_payment_method` is not final: the customer may retry. */
export const PaymentStatus = {
  RequiresPaymentMethod: 'requires_payment_method',
  RequiresConfirmation: 'requires_confirmation',
  RequiresAction: 'requires_action',
  Processing: 'processing',
  RequiresCapture: 'requires_capture',
  Succeeded: 'succeeded',
  Canceled: 'canceled',
} as const;
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

export const RefundStatus = {
  Pending: 'pending',
  RequiresAction: 'requires_action',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Canceled: 'canceled',
} as const;
export type RefundStatus = (typeof RefundStatus)[keyof typeof RefundStatus];

export type PaymentMethodKind = 'card' | 'alipay';

export interface CreatePaymentInput {
  /** Our order id; carried in provider metadata. */
  readonly orderId: string;
  /** Our payment row id; carried in provider metadata and echoed back on every webhook. */
  readonly paymentId: string;
  readonly amount: MoneyLike;
  /** Stable per payment: a retry of the same call must reuse it. */
  readonly idempotencyKey: string;
  /** Our request id, carried in metadata for tracing. */
  readonly requestId: string;
  /** Where a redirect-based method (Alipay, 3-D Secure, hosted checkout) returns the customer. */
  readonly returnUrl?: string | undefined;
  readonly customerEmail?: string | undefined;
  /** Offer Alipay; ignored (not an error) when the currency does not support it. */
  readonly allowAlipay?: boolean | undefined;
  /**
   * How the customer pays, for providers with several pages (Alipay: a QR code to scan, the desktop
   * cashier, the mobile cashier). Absent: the provider chooses, from `userAgent` where it matters.
   */
  readonly presentation?: PaymentPresentation | undefined;
  /** The customer's browser, so a provider can send a phone to its mobile page. */
  readonly userAgent?: string | undefined;
}

export const PaymentPresentation = { QrCode: 'qr_code', Page: 'page', Wap: 'wap' } as const;
export type PaymentPresentation = (typeof PaymentPresentation)[keyof typeof PaymentPresentation];

export interface CreatePaymentResult {
  /** The provider's transaction id (Stripe PaymentIntent `pi_…`). */
  readonly providerTxnId: string;
  /** For client-side confirmation (Stripe Payment Element). */
  readonly clientSecret?: string | undefined;
  /** For hosted/redirect flows (Stripe Checkout, Alipay's cashier pages). */
  readonly redirectUrl?: string | undefined;
  /** The text of a QR code the customer scans with the provider's app (Alipay precreate `qr_code`). */
  readonly qrCode?: string | undefined;
  readonly status: PaymentStatus;
  readonly availablePaymentMethods: readonly PaymentMethodKind[];
}

export interface RefundInput {
  readonly providerTxnId: string;
  /** `null` refunds the whole remaining refundable amount. */
  readonly amountMinor: bigint | null;
  /** Free text kept in provider metadata; mapped to a provider reason code where one fits. */
  readonly reason: string | null;
  /** Stable per refund row. */
  readonly idempotencyKey: string;
  /** Our refund row id; carried in provider metadata. */
  readonly refundId: string;
}

export interface RefundResult {
  readonly providerRefundId: string;
  readonly status: RefundStatus;
  readonly amountMinor: bigint;
  /** Why a `failed` refund failed, when the provider says (Stripe `failure_reason`). */
  readonly failureReason?: string | null | undefined;
}

export interface FindRefundInput {
  /** The refunded transaction. */
  readonly providerTxnId: string;
  /** The provider's refund id when we ever received it; null when the create call never answered. */
  readonly providerRefundId: string | null;
  /** Our refund row id, which `refund()` put in the provider's metadata. */
  readonly refundId: string;
}

export interface PaymentError {
  readonly code: string | null;
  readonly declineCode: string | null;
  readonly message: string | null;
}

export interface QueryResult {
  /**
   * The transaction the provider reports for the one queried: the same id, or what it became (a
   * Stripe Checkout Session's PaymentIntent once the customer paid). An event about our payment must
   * name one of the two (src/payments/event-trust.ts).
   */
  readonly providerTxnId: string;
  readonly status: PaymentStatus;
  readonly amountMinor: bigint;
  readonly amountReceivedMinor: bigint;
  readonly currency: string;
  readonly riskLevel?: string | undefined;
  readonly lastError?: PaymentError | undefined;
  /**
   * For client-side confirmation, as `createPayment` returned it: handed again to the client that
   * retries its top-up (we store only its digest). Absent for redirect flows.
   */
  readonly clientSecret?: string | undefined;
}

/** Header values as Node gives them (`IncomingHttpHeaders`), or a plain map. Names are matched case-insensitively. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

interface EventBase {
  /** Provider event id (Stripe `evt_…`): the inbox de-duplication key. */
  readonly eventId: string;
  /** The provider's event type, as received. */
  readonly providerEventType: string;
  readonly occurredAt: Date;
}

interface PaymentEventBase extends EventBase {
  readonly providerTxnId: string;
  /** Our payment id from provider metadata; null when the transaction was not created by us. */
  readonly paymentId: string | null;
  readonly orderId: string | null;
  readonly amountMinor: bigint;
  readonly currency: string;
  /**
   * The merchant account the event says it is for, where the provider's signature does not bind it
   * to ours (Alipay: `app_id`, `seller_id`). Checked by src/payments/event-trust.ts.
   */
  readonly merchantAccount?: MerchantAccount | undefined;
}

export interface MerchantAccount {
  readonly appId: string;
  readonly sellerId: string | null;
}

export interface PaymentSucceededEvent extends PaymentEventBase {
  readonly type: 'payment.succeeded';
  readonly amountReceivedMinor: bigint;
  readonly riskLevel: string | null;
  readonly riskScore: number | null;
}

/** Not final: the customer may try another payment method on the same transaction. */
export interface PaymentFailedEvent extends PaymentEventBase {
  readonly type: 'payment.failed';
  readonly failureCode: string | null;
  readonly declineCode: string | null;
  readonly failureMessage: string | null;
}

export interface PaymentProcessingEvent extends PaymentEventBase {
  readonly type: 'payment.processing';
}

export interface PaymentCanceledEvent extends PaymentEventBase {
  readonly type: 'payment.canceled';
  readonly cancellationReason: string | null;
}

interface RefundEventBase extends EventBase {
  readonly providerTxnId: string;
  readonly paymentId: string | null;
  readonly providerRefundId: string;
  /** Our refund id from provider metadata, when the refund was created by us. */
  readonly refundId: string | null;
  readonly amountMinor: bigint;
  readonly currency: string;
}

export interface RefundSucceededEvent extends RefundEventBase {
  readonly type: 'refund.succeeded';
}
export interface RefundPendingEvent extends RefundEventBase {
  readonly type: 'refund.pending';
}
export interface RefundFailedEvent extends RefundEventBase {
  readonly type: 'refund.failed';
  readonly failureReason: string | null;
}

export interface DisputeOpenedEvent extends EventBase {
  readonly type: 'dispute.opened';
  readonly providerTxnId: string;
  readonly paymentId: string | null;
  readonly providerDisputeId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly reason: string | null;
}

/** A dispute was decided: `won` (the funds come back to the merchant) or `lost` (they stay with the cardholder). */
export interface DisputeClosedEvent extends EventBase {
  readonly type: 'dispute.closed';
  readonly providerTxnId: string;
  readonly paymentId: string | null;
  readonly providerDisputeId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly outcome: 'won' | 'lost';
}

/** Verified, but nothing for us to do (unknown type, unpaid checkout, …). Acknowledge it. */
export interface IgnoredEvent extends EventBase {
  readonly type: 'ignored';
  readonly reason: string;
}

export type NormalisedPaymentEvent =
  | PaymentSucceededEvent
  | PaymentFailedEvent
  | PaymentProcessingEvent
  | PaymentCanceledEvent
  | RefundSucceededEvent
  | RefundFailedEvent
  | RefundPendingEvent
  | DisputeOpenedEvent
  | DisputeClosedEvent
  | IgnoredEvent;

export type NormalisedPaymentEventType = NormalisedPaymentEvent['type'];

/**
 * A payment provider. Implementations live in `src/providers/payment/<id>/` and are registered in
 * `registry.ts`. Every method throws only `AppError` subclasses from `./errors.ts`.
 */
export interface PaymentProvider {
  readonly id: string;

  /**
   * The merchant account every event must name, for providers whose events carry one the signature
   * does not bind (Alipay); checked with `merchantClaimMismatch` (src/payments/event-trust.ts).
   */
  readonly merchant?: MerchantAccount | undefined;

  /**
   * The body a provider requires in answer to a stored webhook, where it is not ours to choose
   * (Alipay retries until it reads exactly `success`). JSON `{received: true}` when absent.
   */
  readonly webhookAcknowledgement?: { readonly contentType: string; readonly body: string } | undefined;

  /**
   * How long after create an unpaid transaction can still be paid (Alipay: its pay timeout), for a
   * provider with `closePayment`: past it, reconciliation closes the transaction and cancels the top-up.
   */
  readonly unpaidExpiryMs?: number | undefined;

  /**
   * The buyer pays on the provider's own pages and comes back by redirect (Alipay's cashiers): with
   * no return URL in the request, they are sent back to the gateway's status page `/pay/<id>/return`
   * rather than `PAYMENT_RETURN_URL`, so they see the result the server knows.
   */
  readonly returnsToStatusPage?: boolean | undefined;

  /**
   * Creates a provider transaction for `amount`.
   * @throws AmountTooSmallError, AmountTooLargeError, InvalidAmountError, UnsupportedCurrencyError
   *   before any provider call; PaymentDeclinedError, ProviderInvalidRequestError,
   *   ProviderIdempotencyError, ProviderUnavailableError, ProviderAuthError from the provider.
   */
  createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult>;

  /**
   * Verifies the signature over the raw body, then normalises the event. Pure: no provider call.
   * @throws WebhookSignatureError (400) when the signature is missing, forged, stale or made with
   *   an unknown secret; WebhookPayloadError (400) when a verified body is not a readable event.
   */
  handleWebhook(headers: WebhookHeaders, rawBody: Buffer): Promise<NormalisedPaymentEvent>;

  /**
   * Refunds all (`amountMinor: null`) or part of a succeeded transaction.
   * @throws RefundNotAllowedError (over-refund, already refunded), ProviderResourceMissingError,
   *   and the provider errors listed on `createPayment`.
   */
  refund(input: RefundInput): Promise<RefundResult>;

  /**
   * Reads the transaction's current state from the provider (use it to confirm a webhook or recover).
   * @throws ProviderResourceMissingError and the provider errors listed on `createPayment`.
   */
  query(providerTxnId: string): Promise<QueryResult>;

  /**
   * Reads a refund's current state from the provider: by `providerRefundId` when known, else by
   * looking through the transaction's refunds for our `refundId` in metadata. `null` means the
   * provider has no such refund (so a create that failed ambiguously never reached it).
   * @throws the provider errors listed on `createPayment` (never ProviderResourceMissingError for
   *   the refund itself: that is `null`).
   */
  findRefund(input: FindRefundInput): Promise<RefundResult | null>;

  /**
   * Closes an unpaid transaction so the customer can no longer pay it (a top-up that expired).
   * Optional: providers whose transactions expire on their own leave it out.
   * @returns `closed`, `not_opened` (the provider never saw a customer open it: nothing to close, but
   *   it stays payable until its own timeout), or `already_paid` (reconcile instead).
   * @throws the provider errors listed on `createPayment`.
   */
  closePayment?(providerTxnId: string): Promise<ClosePaymentResult>;
}

export type ClosePaymentResult = 'closed' | 'not_opened' | 'already_paid';
