import type { RouteHandler } from '../http/router.ts';
import { readRawBody } from '../http/body.ts';
import { sendJson } from '../http/errors.ts';
import { currencyExponent } from '../ledger/money.ts';
import { NotFoundError } from '../lib/errors.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { Services } from '../services.ts';
import { isClientSecret } from './client-secret.ts';
import { renderReturnPage, renderTopUpPage } from './top-up-page.ts';

/** `12345n, 'USD'` → `'123.45'`; `500n, 'JPY'` → `'500'`. Display only. */
export function formatMinor(amountMinor: bigint, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return amountMinor.toString();
  const s = amountMinor.toString().padStart(exp + 1, '0');
  return `${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/** POST /webhooks/:provider — raw body, verified by the provider, stored, processed once. */
export function webhookRoute(services: Services): RouteHandler {
  return async (req, res, params) => {
    const payments = services.payments!;
    const raw = await readRawBody(req, services.config.REQUEST_BODY_LIMIT_BYTES);
    const result = await payments.handleWebhook(params.provider!, req.headers, raw);
    sendJson(res, 200, { received: true, duplicate: result.duplicate, request_id: currentRequestId() });
  };
}

/** Where the page's script asks for the payment's state (with the client secret in a header). */
const statusPath = (paymentId: string) => `/pay/${encodeURIComponent(paymentId)}/status`;

/**
 * GET /pay/:paymentId — the hosted top-up page (client secret in the URL fragment). The same page
 * for every id, known or not: its amount and state come from the status route.
 */
export function topUpPageRoute(services: Services): RouteHandler {
  return async (_req, res, params) => {
    const paymentId = params.paymentId!;
    const base = services.config.PUBLIC_BASE_URL ?? `http://localhost:${services.config.PORT}`;
    const html = renderTopUpPage({
      paymentId,
      publishableKey: services.config.STRIPE_PUBLISHABLE_KEY ?? '',
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
export function returnPageRoute(_services: Services): RouteHandler {
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

/**
 * GET /pay/:paymentId/status — the payment's state as the server knows it (display only), for the
 * browser that started the payment: it must present the client secret (`X-Client-Secret`). Anyone
 * else gets the same 404 as for an unknown id.
 */
export function paymentStatusRoute(services: Services): RouteHandler {
  return async (req, res, params) => {
    const paymentId = params.paymentId!;
    const presented = req.headers['x-client-secret'];
    const payment = await services.db.payment.findUnique({ where: { id: paymentId } });
    const digest = (payment?.metadata as { clientSecretSha256?: unknown } | undefined)?.clientSecretSha256;
    if (!payment || !isClientSecret(digest, typeof presented === 'string' ? presented : undefined))
      throw new NotFoundError('Payment', paymentId);
    sendJson(res, 200, {
      paymentId: payment.id,
      status: payment.status,
      amount: formatMinor(payment.amountMinor, payment.currency),
      currency: payment.currency,
      failureMessage: payment.failureMessage,
      request_id: currentRequestId(),
    });
  };
}
