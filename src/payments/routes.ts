import type { RouteHandler } from '../http/router.ts';
import { readRawBody } from '../http/body.ts';
import { sendJson } from '../http/errors.ts';
import { currencyExponent } from '../lib/money.ts';
import { NotFoundError } from '../lib/errors.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { PaymentService } from './payment-service.ts';
import { isClientSecret } from './client-secret.ts';
import { qrSvg } from './qr-svg.ts';
import { renderReturnPage, renderTopUpPage } from './top-up-page.ts';

/** What the payment routes read: the payments flow, the payment rows and a few settings. */
export interface PaymentRoutesDeps {
  payments: Pick<PaymentService, 'receiveWebhook'>;
  db: Db;
  config: Pick<Config, 'REQUEST_BODY_LIMIT_BYTES' | 'PUBLIC_BASE_URL' | 'PORT' | 'STRIPE_PUBLISHABLE_KEY'>;
}

/** `12345n, 'USD'` → `'123.45'`; `500n, 'JPY'` → `'500'`. Display only. */
export function formatMinor(amountMinor: bigint, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return amountMinor.toString();
  const s = amountMinor.toString().padStart(exp + 1, '0');
  return `${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/**
 * POST /webhooks/:provider — raw body, verified by the provider, stored with its processing job,
 * acknowledged; the outbox worker applies it (webhook-inbox.ts). 5xx only when it could not be
 * stored, so the provider delivers it again.
 */
export function webhookRoute(deps: Pick<PaymentRoutesDeps, 'payments' | 'config'>): RouteHandler {
  return async (req, res, params) => {
    const raw = await readRawBody(req, deps.config.REQUEST_BODY_LIMIT_BYTES);
    const result = await deps.payments.receiveWebhook(params.provider!, req.headers, raw);
    const ack = result.acknowledgement;
    if (ack) {
      // The request id is in the x-request-id header (server.ts), not in a body the provider dictates.
      res.writeHead(200, { 'content-type': ack.contentType });
      res.end(ack.body);
      return;
    }
    sendJson(res, 200, { received: true, duplicate: result.duplicate, request_id: currentRequestId() });
  };
}

/** Where the page's script asks for the payment's state (with the client secret in a header). */
const statusPath = (paymentId: string) => `/pay/${encodeURIComponent(paymentId)}/status`;

/**
 * GET /pay/:paymentId — the hosted top-up page (client secret in the URL fragment). The same page
 * for every id, known or not: its amount and state come from the status route.
 */
export function topUpPageRoute({ config }: Pick<PaymentRoutesDeps, 'config'>): RouteHandler {
  return async (_req, res, params) => {
    const paymentId = params.paymentId!;
    const base = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
    const html = renderTopUpPage({
      paymentId,
      publishableKey: config.STRIPE_PUBLISHABLE_KEY ?? '',
      returnUrl: `${base}/pay/${encodeURIComponent(paymentId)}/return`,
      statusUrl: statusPath(paymentId),
    });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    res.end(html);
  };
}

/** GET /pay/:paymentId/return — where the provider sends the customer back; polls the status. */
export function returnPageRoute(): RouteHandler {
  return async (_req, res, params) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Stripe puts the client secret in this page's query string: never pass it on.
      'referrer-policy': 'no-referrer',
    });
    res.end(renderReturnPage({ paymentId: params.paymentId!, statusUrl: statusPath(params.paymentId!) }));
  };
}

interface CheckoutMetadata {
  clientSecretSha256?: unknown;
  pageSecret?: boolean;
  qrCode?: string | null;
  redirectUrl?: string | null;
}
/** Nothing left to pay: the page stops offering the QR code. */
const FINAL = new Set(['succeeded', 'canceled']);

/**
 * How the page collects a payment whose provider has no browser SDK (Alipay): the QR code, drawn
 * here, and the cashier URL. Only for the secret's holder, and only while it can still be paid.
 */
async function checkoutOf(meta: CheckoutMetadata) {
  return {
    qrCode: meta.qrCode ?? null,
    qrSvg: meta.qrCode ? await qrSvg(meta.qrCode) : null,
    redirectUrl: meta.redirectUrl ?? null,
  };
}

/**
 * GET /pay/:paymentId/status — the payment's state as the server knows it (display only), for the
 * browser that started the payment: it must present the client secret (`X-Client-Secret`). Anyone
 * else gets the same 404 as for an unknown id.
 */
export function paymentStatusRoute({ db }: Pick<PaymentRoutesDeps, 'db'>): RouteHandler {
  return async (req, res, params) => {
    const paymentId = params.paymentId!;
    const presented = req.headers['x-client-secret'];
    const payment = await db.payment.findUnique({ where: { id: paymentId } });
    const meta = payment?.metadata as CheckoutMetadata | undefined;
    if (
      !payment ||
      !isClientSecret(meta?.clientSecretSha256, typeof presented === 'string' ? presented : undefined)
    )
      throw new NotFoundError('Payment', paymentId);
    sendJson(res, 200, {
      paymentId: payment.id,
      status: payment.status,
      amount: formatMinor(payment.amountMinor, payment.currency),
      currency: payment.currency,
      failureMessage: payment.failureMessage,
      ...(meta?.pageSecret && !FINAL.has(payment.status) ? { checkout: await checkoutOf(meta) } : {}),
      request_id: currentRequestId(),
    });
  };
}
