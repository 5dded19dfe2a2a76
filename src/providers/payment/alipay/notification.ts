import type { AlipaySdk } from 'alipay-sdk';
import { WebhookPayloadError, WebhookSignatureError } from '../errors.ts';
import type { NormalisedPaymentEvent } from '../types.ts';
import { ALIPAY_CURRENCY, fromDecimal } from './amount.ts';

/**
 * Alipay's asynchronous notification (opendocs.alipay.com/open/270/105902): a form-encoded POST
 * whose `sign` covers every other parameter but `sign_type`. Alipay notifies TRADE_SUCCESS,
 * TRADE_FINISHED and TRADE_CLOSED by default, and again (with `out_biz_no`, `refund_fee`,
 * `gmt_refund`) after each refund.
 */

export type NotificationParams = Readonly<Record<string, string>>;

/** Reads a form body strictly: a parameter given twice makes the signed text ambiguous. */
export function parseNotificationBody(rawBody: Buffer): NotificationParams {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawBody.toString('utf8'))) {
    if (Object.hasOwn(params, k))
      throw new WebhookSignatureError(`Notification parameter ${k} appears twice`);
    params[k] = v;
  }
  return params;
}

/**
 * Verifies with the SDK, over the parameters exactly as posted (`checkNotifySignV2` does not
 * URL-decode values a second time, which the SDK's older `checkNotifySign` did).
 * @throws WebhookSignatureError
 */
export function verifyNotification(sdks: readonly AlipaySdk[], params: NotificationParams): void {
  if (!params.sign) throw new WebhookSignatureError('Notification has no sign');
  // The SDK would also accept sign_type=RSA (SHA-1); Alipay signs RSA2 for apps set up with RSA2.
  if (params.sign_type !== 'RSA2') throw new WebhookSignatureError('Notification is not signed with RSA2');
  if (!sdks.some((sdk) => sdk.checkNotifySignV2({ ...params })))
    throw new WebhookSignatureError('Notification signature does not verify with the Alipay public key');
}

const required = (p: NotificationParams, key: string): string => {
  const v = p[key];
  if (v === undefined || v === '') throw new WebhookPayloadError(`Notification has no ${key}`);
  return v;
};

/** Alipay's times are Beijing time without a zone: "2024-01-31 12:34:56" (+08:00). */
export function parseAlipayTime(v: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(v);
  const d = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new WebhookPayloadError(`'${v}' is not an Alipay time`);
  return d;
}

/**
 * Our payment id rides twice: in `passback_params` (URL-encoded, echoed by the cashier pages) and in
 * `body` (echoed by every product, precreate included, which has no passback_params).
 */
export const encodePassback = (paymentId: string): string =>
  encodeURIComponent(new URLSearchParams({ payment_id: paymentId }).toString());
export const paymentBody = (paymentId: string): string =>
  new URLSearchParams({ payment_id: paymentId }).toString();

function paymentIdOf(p: NotificationParams): string | null {
  try {
    if (p.passback_params) {
      const id = new URLSearchParams(decodeURIComponent(p.passback_params)).get('payment_id');
      if (id) return id;
    }
  } catch {
    // a malformed passback_params: fall back to body
  }
  return (p.body && new URLSearchParams(p.body).get('payment_id')) || null;
}

const amount = (v: string, currency: string, field: string): bigint => {
  try {
    return fromDecimal(v, currency);
  } catch (e) {
    throw new WebhookPayloadError(`Notification ${field} '${v}' cannot be read`, e);
  }
};

/** Normalises a verified notification. Pure. */
export function mapNotification(p: NotificationParams): NormalisedPaymentEvent {
  const status = required(p, 'trade_status');
  const base = {
    // One notification per state change, retried with the same notify_id: the inbox key.
    eventId: `${status}:${required(p, 'notify_id')}`,
    providerEventType: status,
    occurredAt: parseAlipayTime(required(p, 'notify_time')),
  };
  // Cross-border apps price in trans_currency; a domestic app's amounts are CNY.
  const currency = p.trans_currency || ALIPAY_CURRENCY;
  const common = {
    ...base,
    providerTxnId: required(p, 'trade_no'),
    paymentId: paymentIdOf(p),
    orderId: required(p, 'out_trade_no'),
    amountMinor: amount(required(p, 'total_amount'), currency, 'total_amount'),
    currency,
    merchantAccount: { appId: required(p, 'app_id'), sellerId: p.seller_id || null },
  };
  // A refund notification reports only the cumulative refund_fee, not this refund's amount: the
  // refund's own answer (and fastpay.refund.query) settle refunds, so this one only acknowledges.
  if (p.out_biz_no || p.gmt_refund) {
    return {
      ...base,
      type: 'ignored',
      reason: `refund notification (out_biz_no ${p.out_biz_no ?? '?'}, refund_fee ${p.refund_fee ?? '?'}); refunds settle from the refund answer`,
    };
  }
  switch (status) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return {
        ...common,
        type: 'payment.succeeded',
        amountReceivedMinor: amount(p.receipt_amount || p.total_amount || '', currency, 'receipt_amount'),
        riskLevel: null,
        riskScore: null,
      };
    case 'TRADE_CLOSED':
      return { ...common, type: 'payment.canceled', cancellationReason: 'TRADE_CLOSED' };
    default:
      return { ...base, type: 'ignored', reason: `trade_status ${status}` };
  }
}
