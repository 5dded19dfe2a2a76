import Stripe from 'stripe';
import {
  assertChargeable,
  fromStripeAmount,
  parseStripeCurrency,
  STRIPE_AMOUNT_MAX,
  supportsAlipay,
  toStripeAmount,
} from '../currency-rules.ts';
import { InvalidAmountError, ProviderInvalidRequestError, WebhookSignatureError } from '../errors.ts';
import type {
  CreatePaymentInput,
  CreatePaymentResult,
  FindRefundInput,
  NormalisedPaymentEvent,
  PaymentMethodKind,
  PaymentProvider,
  QueryResult,
  RefundInput,
  RefundResult,
  WebhookHeaders,
} from '../types.ts';
import { PaymentStatus, RefundStatus } from '../types.ts';
import { wrapStripeError } from './error-mapper.ts';
import { chargeRisk, mapStripeEvent, parseStripeEvent, paymentErrorOf } from './event-mapper.ts';
import { STRIPE_API_VERSION, type StripeOptions } from './options.ts';
import { verifyStripeSignature } from './signature.ts';

/** Builds the SDK client once per provider: pinned API version, SDK retries, no telemetry. */
export function createStripeClient(options: StripeOptions): Stripe {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new Stripe(options.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: options.maxNetworkRetries,
    timeout: options.timeoutMs,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port === '' ? (base.protocol === 'http:' ? 80 : 443) : Number(base.port),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
}

/**
 * Money leaves bigint only here, at the SDK boundary (the SDK takes JSON numbers); assertChargeable
 * and the refund check cap it at Stripe's 8 digits, far inside the safe-integer range.
 */
const toSdkAmount = (amountMinor: bigint, currency: string): number => {
  const stripeMinor = toStripeAmount(amountMinor, currency);
  if (stripeMinor > STRIPE_AMOUNT_MAX) {
    throw new InvalidAmountError(`Amount ${amountMinor} ${currency} exceeds Stripe's 8-digit maximum`);
  }
  return Number(stripeMinor);
};

const PAYMENT_STATUSES: ReadonlySet<string> = new Set(Object.values(PaymentStatus));
const REFUND_STATUSES: ReadonlySet<string> = new Set(Object.values(RefundStatus));
/** A status added by a later API version is treated as in flight: never final, never credited. */
const toPaymentStatus = (s: string): PaymentStatus =>
  PAYMENT_STATUSES.has(s) ? (s as PaymentStatus) : 'processing';
const toRefundStatus = (s: string | null): RefundStatus =>
  s !== null && REFUND_STATUSES.has(s) ? (s as RefundStatus) : 'pending';

/** What Stripe says the customer can use (account settings and currency applied), within what we asked for. */
const offered = (
  fromStripe: readonly string[] | null | undefined,
  asked: PaymentMethodKind[],
): PaymentMethodKind[] => (fromStripe ? asked.filter((m) => fromStripe.includes(m)) : asked);

const readAmount = (v: number | null | undefined, currency: string | null | undefined): bigint =>
  v == null ? 0n : fromStripeAmount(BigInt(v), currency ?? '');

const toRefundResult = (refund: Stripe.Refund): RefundResult => ({
  providerRefundId: refund.id,
  status: toRefundStatus(refund.status),
  amountMinor: readAmount(refund.amount, refund.currency),
  failureReason: refund.failure_reason ?? null,
});

/** Stripe's page size maximum for list calls. */
const LIST_PAGE_SIZE = 100;

const STRIPE_REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

const header = (headers: WebhookHeaders, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted) continue;
    if (Array.isArray(v)) throw new WebhookSignatureError(`Multiple ${name} headers`);
    return v as string | undefined;
  }
  return undefined;
};

export class StripePaymentProvider implements PaymentProvider {
  readonly id = 'stripe';
  private readonly stripe: Stripe;

  constructor(
    private readonly options: StripeOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.stripe = createStripeClient(options);
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    assertChargeable(input.amount);
    const currency = parseStripeCurrency(input.amount.currency);
    const methods: PaymentMethodKind[] =
      input.allowAlipay && supportsAlipay(currency) ? ['card', 'alipay'] : ['card'];
    const metadata = { order_id: input.orderId, payment_id: input.paymentId, request_id: input.requestId };
    const returnUrl = input.returnUrl ?? this.options.returnUrl;
    const requestOptions = { idempotencyKey: input.idempotencyKey };

    try {
      if (this.options.checkoutMode === 'checkout_session') {
        if (!returnUrl) {
          throw new ProviderInvalidRequestError(
            'Checkout Session mode needs a return URL (PAYMENT_RETURN_URL)',
            {
              providerId: this.id,
              param: 'returnUrl',
            },
          );
        }
        const session = await this.stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: currency.toLowerCase(),
                  unit_amount: toSdkAmount(input.amount.amountMinor, currency),
                  product_data: { name: 'Account top-up' },
                },
              },
            ],
            allowed_payment_method_types: methods,
            client_reference_id: input.orderId,
            success_url: returnUrl,
            cancel_url: returnUrl,
            metadata,
            // Session metadata is not copied to the PaymentIntent: the PI events need their own.
            payment_intent_data: { metadata },
            ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
          },
          requestOptions,
        );
        return {
          // The PaymentIntent is created only when the customer pays; until then the session stands in.
          providerTxnId: typeof session.payment_intent === 'string' ? session.payment_intent : session.id,
          redirectUrl: session.url ?? undefined,
          status: 'requires_payment_method',
          availablePaymentMethods: offered(session.payment_method_types, methods),
        };
      }

      const pi = await this.stripe.paymentIntents.create(
        {
          amount: toSdkAmount(input.amount.amountMinor, currency),
          currency: currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          allowed_payment_method_types: methods,
          metadata,
          ...(input.customerEmail ? { receipt_email: input.customerEmail } : {}),
        },
        requestOptions,
      );
      return {
        providerTxnId: pi.id,
        clientSecret: pi.client_secret ?? undefined,
        status: toPaymentStatus(pi.status),
        availablePaymentMethods: offered(pi.payment_method_types, methods),
      };
    } catch (e) {
      throw wrapStripeError(e, 'create');
    }
  }

  async handleWebhook(headers: WebhookHeaders, rawBody: Buffer): Promise<NormalisedPaymentEvent> {
    verifyStripeSignature({
      header: header(headers, 'stripe-signature'),
      rawBody,
      secrets: this.options.webhookSecrets,
      toleranceSeconds: this.options.webhookToleranceSeconds,
      nowMs: this.clock(),
    });
    return mapStripeEvent(parseStripeEvent(rawBody));
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    if (input.amountMinor !== null && input.amountMinor <= 0n) {
      throw new InvalidAmountError('Refund amount must be positive', {
        amountMinor: input.amountMinor.toString(),
      });
    }
    try {
      const paymentIntent = await this.resolvePaymentIntentId(input.providerTxnId);
      let amount: number | undefined;
      if (input.amountMinor !== null) {
        // The currency decides the unit Stripe expects (ISK), so read it from the PaymentIntent.
        const pi = await this.stripe.paymentIntents.retrieve(paymentIntent);
        amount = toSdkAmount(input.amountMinor, pi.currency);
      }
      const reason = input.reason && STRIPE_REFUND_REASONS.has(input.reason) ? input.reason : undefined;
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: paymentIntent,
          ...(amount === undefined ? {} : { amount }),
          ...(reason ? { reason: reason as Stripe.RefundCreateParams.Reason } : {}),
          metadata: {
            refund_id: input.refundId,
            ...(input.reason ? { reason_text: input.reason.slice(0, 500) } : {}),
          },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return toRefundResult(refund);
    } catch (e) {
      throw wrapStripeError(e, 'refund');
    }
  }

  async findRefund(input: FindRefundInput): Promise<RefundResult | null> {
    try {
      if (input.providerRefundId) {
        try {
          return toRefundResult(await this.stripe.refunds.retrieve(input.providerRefundId));
        } catch (e) {
          if (e instanceof Stripe.errors.StripeInvalidRequestError && e.statusCode === 404) return null;
          throw e;
        }
      }
      let paymentIntent = input.providerTxnId;
      if (paymentIntent.startsWith('cs_')) {
        const session = await this.stripe.checkout.sessions.retrieve(paymentIntent);
        // Never paid: nothing to refund, so no refund can exist.
        if (typeof session.payment_intent !== 'string') return null;
        paymentIntent = session.payment_intent;
      }
      // Our refund id is in metadata, which Stripe cannot filter on: page through the payment's refunds.
      let startingAfter: string | undefined;
      for (;;) {
        const page = await this.stripe.refunds.list({
          payment_intent: paymentIntent,
          limit: LIST_PAGE_SIZE,
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        });
        const hit = page.data.find((r) => r.metadata?.refund_id === input.refundId);
        if (hit) return toRefundResult(hit);
        const last = page.data.at(-1);
        if (!page.has_more || !last) return null;
        startingAfter = last.id;
      }
    } catch (e) {
      throw wrapStripeError(e, 'query');
    }
  }

  async query(providerTxnId: string): Promise<QueryResult> {
    try {
      if (providerTxnId.startsWith('cs_')) {
        const session = await this.stripe.checkout.sessions.retrieve(providerTxnId);
        if (typeof session.payment_intent !== 'string') {
          return {
            providerTxnId,
            status: session.status === 'expired' ? 'canceled' : 'requires_payment_method',
            amountMinor: readAmount(session.amount_total, session.currency),
            amountReceivedMinor: 0n,
            currency: (session.currency ?? '').toUpperCase(),
          };
        }
        providerTxnId = session.payment_intent;
      }
      const pi = await this.stripe.paymentIntents.retrieve(providerTxnId, { expand: ['latest_charge'] });
      const { riskLevel } = chargeRisk(pi.latest_charge);
      const lastError = paymentErrorOf(pi.last_payment_error);
      return {
        providerTxnId: pi.id,
        status: toPaymentStatus(pi.status),
        amountMinor: readAmount(pi.amount, pi.currency),
        amountReceivedMinor: readAmount(pi.amount_received, pi.currency),
        currency: pi.currency.toUpperCase(),
        ...(riskLevel ? { riskLevel } : {}),
        ...(lastError ? { lastError } : {}),
        ...(pi.client_secret ? { clientSecret: pi.client_secret } : {}),
      };
    } catch (e) {
      throw wrapStripeError(e, 'query');
    }
  }

  private async resolvePaymentIntentId(providerTxnId: string): Promise<string> {
    if (!providerTxnId.startsWith('cs_')) return providerTxnId;
    const session = await this.stripe.checkout.sessions.retrieve(providerTxnId);
    if (typeof session.payment_intent !== 'string') {
      throw new ProviderInvalidRequestError(`Checkout Session ${providerTxnId} has not been paid`, {
        providerId: this.id,
        param: 'providerTxnId',
      });
    }
    return session.payment_intent;
  }
}
