import Stripe from 'stripe';
import { assertChargeable, normaliseCurrency, supportsAlipay } from '../currency-rules.ts';
import { ProviderInvalidRequestError, WebhookSignatureError } from '../errors.ts';
import type {
  CreatePaymentInput,
  CreatePaymentResult,
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

/** Money leaves bigint only here, at the SDK boundary; assertChargeable caps it at 8 digits. */
const toStripeAmount = (amountMinor: bigint): number => {
  const n = Number(amountMinor);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${amountMinor} is not representable`);
  return n;
};
const fromStripeAmount = (n: number | null | undefined): bigint => (n == null ? 0n : BigInt(n));

const PAYMENT_STATUSES: ReadonlySet<string> = new Set(Object.values(PaymentStatus));
const REFUND_STATUSES: ReadonlySet<string> = new Set(Object.values(RefundStatus));
/** A status added by a later API version is treated as in flight: never final, never credited. */
const toPaymentStatus = (s: string): PaymentStatus =>
  PAYMENT_STATUSES.has(s) ? (s as PaymentStatus) : 'processing';
const toRefundStatus = (s: string | null): RefundStatus =>
  s !== null && REFUND_STATUSES.has(s) ? (s as RefundStatus) : 'pending';

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
    const currency = normaliseCurrency(input.amount.currency).toLowerCase();
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
                  currency,
                  unit_amount: toStripeAmount(input.amount.amountMinor),
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
          availablePaymentMethods: methods,
        };
      }

      const pi = await this.stripe.paymentIntents.create(
        {
          amount: toStripeAmount(input.amount.amountMinor),
          currency,
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
        availablePaymentMethods: methods,
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
    try {
      const paymentIntent = await this.resolvePaymentIntentId(input.providerTxnId);
      const reason = input.reason && STRIPE_REFUND_REASONS.has(input.reason) ? input.reason : undefined;
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: paymentIntent,
          ...(input.amountMinor === null ? {} : { amount: toStripeAmount(input.amountMinor) }),
          ...(reason ? { reason: reason as Stripe.RefundCreateParams.Reason } : {}),
          metadata: {
            refund_id: input.refundId,
            ...(input.reason ? { reason_text: input.reason.slice(0, 500) } : {}),
          },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return {
        providerRefundId: refund.id,
        status: toRefundStatus(refund.status),
        amountMinor: fromStripeAmount(refund.amount),
      };
    } catch (e) {
      throw wrapStripeError(e, 'refund');
    }
  }

  async query(providerTxnId: string): Promise<QueryResult> {
    try {
      if (providerTxnId.startsWith('cs_')) {
        const session = await this.stripe.checkout.sessions.retrieve(providerTxnId);
        if (typeof session.payment_intent !== 'string') {
          return {
            status: session.status === 'expired' ? 'canceled' : 'requires_payment_method',
            amountMinor: fromStripeAmount(session.amount_total),
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
        status: toPaymentStatus(pi.status),
        amountMinor: fromStripeAmount(pi.amount),
        amountReceivedMinor: fromStripeAmount(pi.amount_received),
        currency: pi.currency.toUpperCase(),
        ...(riskLevel ? { riskLevel } : {}),
        ...(lastError ? { lastError } : {}),
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
