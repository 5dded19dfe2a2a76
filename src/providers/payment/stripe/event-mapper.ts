import type Stripe from 'stripe';
import { fromStripeAmount } from '../currency-rules.ts';
import { WebhookPayloadError } from '../errors.ts';
import type {
  NormalisedPaymentEvent,
  PaymentError,
  RefundFailedEvent,
  RefundPendingEvent,
  RefundSucceededEvent,
} from '../types.ts';

/** The Stripe event types we subscribe to; everything else maps to `ignored`. */
export const STRIPE_WEBHOOK_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.processing',
  'payment_intent.canceled',
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.refund.updated',
  'charge.dispute.created',
  'charge.dispute.closed',
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
] as const;

type Metadata = Stripe.Metadata | null | undefined;

const meta = (m: Metadata, key: string): string | null => {
  const v = m?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
};

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;

/** Stripe amount (a JSON number in Stripe's minor unit) → our bigint minor units. */
export const amountOf = (v: number | null | undefined, currency: string | null | undefined): bigint => {
  if (v == null) return 0n;
  if (!Number.isSafeInteger(v)) throw new WebhookPayloadError(`Amount ${v} is not an integer`);
  try {
    return fromStripeAmount(BigInt(v), currency ?? '');
  } catch (e) {
    throw new WebhookPayloadError(`Amount ${v} ${currency} cannot be read`, e);
  }
};

export function chargeRisk(charge: Stripe.Charge | string | null | undefined): {
  riskLevel: string | null;
  riskScore: number | null;
} {
  if (!charge || typeof charge === 'string' || !charge.outcome) return { riskLevel: null, riskScore: null };
  return { riskLevel: charge.outcome.risk_level ?? null, riskScore: charge.outcome.risk_score ?? null };
}

export function paymentErrorOf(
  e: Stripe.PaymentIntent.LastPaymentError | null | undefined,
): PaymentError | undefined {
  if (!e) return undefined;
  return { code: e.code ?? null, declineCode: e.decline_code ?? null, message: e.message ?? null };
}

/** Parses the raw body as a Stripe event, checking only what the mapping relies on. */
export function parseStripeEvent(rawBody: Buffer): Stripe.Event {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch (e) {
    throw new WebhookPayloadError('Webhook body is not JSON', e);
  }
  const ev = parsed as Partial<Stripe.Event> | null;
  if (
    ev?.object !== 'event' ||
    typeof ev.id !== 'string' ||
    typeof ev.type !== 'string' ||
    typeof ev.created !== 'number' ||
    typeof ev.data?.object !== 'object' ||
    ev.data.object === null
  ) {
    throw new WebhookPayloadError('Webhook body is not a Stripe event');
  }
  return ev as Stripe.Event;
}

/** Normalises a verified Stripe event. Pure. */
export function mapStripeEvent(event: Stripe.Event): NormalisedPaymentEvent {
  const base = {
    eventId: event.id,
    providerEventType: event.type,
    occurredAt: new Date(event.created * 1000),
  };
  const ignored = (reason: string): NormalisedPaymentEvent => ({ ...base, type: 'ignored', reason });

  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.processing':
    case 'payment_intent.canceled': {
      const pi = event.data.object;
      const common = {
        ...base,
        providerTxnId: pi.id,
        paymentId: meta(pi.metadata, 'payment_id'),
        orderId: meta(pi.metadata, 'order_id'),
        amountMinor: amountOf(pi.amount, pi.currency),
        currency: pi.currency.toUpperCase(),
      };
      if (event.type === 'payment_intent.succeeded') {
        return {
          ...common,
          type: 'payment.succeeded',
          amountReceivedMinor: amountOf(pi.amount_received, pi.currency),
          ...chargeRisk(pi.latest_charge),
        };
      }
      if (event.type === 'payment_intent.payment_failed') {
        const err = paymentErrorOf(pi.last_payment_error);
        return {
          ...common,
          type: 'payment.failed',
          failureCode: err?.code ?? null,
          declineCode: err?.declineCode ?? null,
          failureMessage: err?.message ?? null,
        };
      }
      if (event.type === 'payment_intent.processing') return { ...common, type: 'payment.processing' };
      return { ...common, type: 'payment.canceled', cancellationReason: pi.cancellation_reason ?? null };
    }

    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
    case 'charge.refund.updated':
      return mapRefund(base, event.data.object, event.type === 'refund.failed');

    case 'charge.refunded': {
      // Since API 2022-11-15 a Charge carries `refunds` only when expanded, and events never expand.
      // The refund.* events carry the refund itself; use the list only when it happens to be there.
      const charge = event.data.object;
      const latest = charge.refunds?.data?.[0];
      if (!latest) return ignored('charge.refunded without a refund list; refund.* events carry the refund');
      return mapRefund(
        base,
        { ...latest, payment_intent: latest.payment_intent ?? charge.payment_intent },
        false,
      );
    }

    case 'charge.dispute.closed': {
      const d = event.data.object;
      const pi = idOf(d.payment_intent);
      if (!pi) return ignored('dispute is not on a PaymentIntent');
      return {
        ...base,
        type: 'dispute.closed',
        providerTxnId: pi,
        paymentId: meta(d.metadata, 'payment_id'),
        providerDisputeId: d.id,
        amountMinor: amountOf(d.amount, d.currency),
        currency: d.currency.toUpperCase(),
        // `warning_closed` (an inquiry that never became a chargeback) returns nothing to anyone: like won.
        outcome: d.status === 'lost' ? 'lost' : 'won',
      };
    }

    case 'charge.dispute.created': {
      const d = event.data.object;
      const pi = idOf(d.payment_intent);
      if (!pi) return ignored('dispute is not on a PaymentIntent');
      return {
        ...base,
        type: 'dispute.opened',
        providerTxnId: pi,
        paymentId: meta(d.metadata, 'payment_id'),
        providerDisputeId: d.id,
        amountMinor: amountOf(d.amount, d.currency),
        currency: d.currency.toUpperCase(),
        reason: d.reason ?? null,
      };
    }

    // Stripe moving its own balance when a dispute opens or is won. The wallet already follows the
    // dispute itself (created: freeze; closed: unfreeze, and debit if lost): mapping these too would
    // count the same money twice. Not subscribed to; ignored if an endpoint sends them anyway.
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated':
      return ignored(
        'dispute funds movement on the Stripe balance; the wallet follows dispute created/closed',
      );

    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed': {
      const s = event.data.object;
      if (s.mode !== 'payment') return ignored(`checkout session in ${s.mode} mode`);
      const pi = idOf(s.payment_intent);
      if (!pi) return ignored('checkout session has no PaymentIntent');
      const common = {
        ...base,
        providerTxnId: pi,
        paymentId: meta(s.metadata, 'payment_id'),
        orderId: meta(s.metadata, 'order_id') ?? s.client_reference_id ?? null,
        amountMinor: amountOf(s.amount_total, s.currency),
        currency: (s.currency ?? '').toUpperCase(),
      };
      if (event.type === 'checkout.session.async_payment_failed') {
        return {
          ...common,
          type: 'payment.failed',
          failureCode: null,
          declineCode: null,
          failureMessage: null,
        };
      }
      // `completed` arrives with payment_status=unpaid for delayed methods: credit only once paid.
      if (s.payment_status !== 'paid') return ignored(`checkout session payment_status=${s.payment_status}`);
      return {
        ...common,
        type: 'payment.succeeded',
        amountReceivedMinor: amountOf(s.amount_total, s.currency),
        riskLevel: null,
        riskScore: null,
      };
    }

    default:
      return ignored(`unhandled event type ${event.type}`);
  }
}

function mapRefund(
  base: { eventId: string; providerEventType: string; occurredAt: Date },
  r: Stripe.Refund,
  forceFailed: boolean,
): NormalisedPaymentEvent {
  const pi = idOf(r.payment_intent);
  if (!pi) return { ...base, type: 'ignored', reason: 'refund is not on a PaymentIntent' };
  const common = {
    ...base,
    providerTxnId: pi,
    paymentId: meta(r.metadata, 'payment_id'),
    providerRefundId: r.id,
    refundId: meta(r.metadata, 'refund_id'),
    amountMinor: amountOf(r.amount, r.currency),
    currency: r.currency.toUpperCase(),
  };
  if (forceFailed || r.status === 'failed' || r.status === 'canceled') {
    return {
      ...common,
      type: 'refund.failed',
      failureReason: r.failure_reason ?? null,
    } satisfies RefundFailedEvent;
  }
  if (r.status === 'succeeded') return { ...common, type: 'refund.succeeded' } satisfies RefundSucceededEvent;
  return { ...common, type: 'refund.pending' } satisfies RefundPendingEvent;
}
