import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalid, missing, parameterMissing, StripeApiError, unknownParameter } from './errors.ts';
import { FormParseError, type FormObject, type FormValue, parseStripeForm } from './form.ts';
import { newWebhookSecret } from './signing.ts';
import { type StripeEvent, WebhookSender } from './webhook-sender.ts';

/**
 * A stateful, local stand-in for api.stripe.com that the real `stripe` SDK talks to
 * (`new Stripe(key, {host:'127.0.0.1', port, protocol:'http'})`). Object shapes start from Stripe's
 * own OpenAPI fixtures; behaviour follows shared/reference/stripe.md §5 and docs.stripe.com.
 */

export const DOUBLE_API_VERSION = '2026-10-28.endive';

type Obj = Record<string, unknown>;

const FIXTURES = JSON.parse(
  readFileSync(new URL('../../fixtures/stripe/openapi-fixtures.json', import.meta.url), 'utf8'),
) as Record<string, Obj>;

const template = (name: string): Obj => structuredClone(FIXTURES[name] as Obj);

const rand = (n: number) =>
  randomBytes(n * 2)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, n);
export const stripeId = (prefix: string) => `${prefix}_${rand(24)}`;

/** Minimum charge (minor units) per currency, from Stripe's table; others need ≥ 1. */
const MINIMUM: Record<string, number> = {
  usd: 50,
  aud: 50,
  cad: 50,
  eur: 50,
  nzd: 50,
  sgd: 50,
  chf: 50,
  brl: 50,
  inr: 50,
  gbp: 30,
  hkd: 400,
  jpy: 50,
  myr: 200,
  aed: 200,
  pln: 200,
  ron: 200,
  dkk: 250,
  nok: 300,
  sek: 300,
  czk: 1500,
  huf: 17500,
  mxn: 1000,
  thb: 1000,
};
const CURRENCIES = new Set(
  (
    'usd aud cad eur nzd sgd chf brl inr gbp hkd jpy myr aed pln ron dkk nok sek czk huf mxn thb cny krw twd ' +
    'idr php vnd clp isk bhd jod kwd omr tnd zar try ils sar qar egp ngn kes'
  ).split(' '),
);
const ALIPAY_CURRENCIES = new Set('cny aud cad eur gbp hkd jpy sgd myr nzd usd'.split(' '));
const METHOD_TYPES = new Set(['card', 'alipay']);

/** Test cards (docs.stripe.com/testing) and what confirming with them does. */
type CardOutcome =
  | { kind: 'success'; riskLevel: string; riskScore: number }
  | { kind: 'decline'; declineCode: string; message: string }
  | { kind: 'three_ds' };
const TEST_CARDS: Record<string, CardOutcome> = {
  pm_card_visa: { kind: 'success', riskLevel: 'normal', riskScore: 12 },
  pm_card_riskLevelElevated: { kind: 'success', riskLevel: 'elevated', riskScore: 74 },
  pm_card_chargeDeclined: {
    kind: 'decline',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    kind: 'decline',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_threeDSecure2Required: { kind: 'three_ds' },
};

export type FailureInjection =
  /** Answer 500 api_error before the request executes (not stored under its idempotency key). */
  (
    | { kind: 'http_500' }
    /** Execution starts, then fails with 500: stored and replayed for the same key, as Stripe does. */
    | { kind: 'http_500_stored' }
    | { kind: 'http_429' }
    /** Drop the TCP connection without answering, before the request executes. */
    | { kind: 'connection_reset' }
    /**
     * The request executes (the object exists at "Stripe", its result is stored under the idempotency
     * key), then the connection drops: the client never learns that it worked.
     */
    | { kind: 'connection_reset_after' }
    /** The request executes and is stored as above, but the client is answered 500 api_error. */
    | { kind: 'http_500_after' }
    /** Hold the request this long after execution starts (the idempotency key is "in use"). */
    | { kind: 'delay'; ms: number }
  ) & {
    /** Only a request with this method takes the injection (default: any). */
    method?: 'GET' | 'POST';
    /** Only a request to this exact path takes the injection, e.g. `/v1/refunds` (default: any). */
    path?: string;
  };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  params: FormObject;
  status: number;
}

interface IdempotencyRecord {
  fingerprint: string;
  inFlight: boolean;
  status?: number;
  body?: string;
  requestId?: string;
}

interface PiExtra {
  methodType: 'card' | 'alipay' | null;
  pendingOutcome: 'success' | null;
}

interface Ctx {
  requestId: string | null;
  idempotencyKey: string | null;
  params: FormObject;
  query: URLSearchParams;
  match: string[];
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  allowed?: readonly string[];
  validate?: (ctx: Ctx) => void;
  execute: (ctx: Ctx) => { status?: number; body: Obj };
}

export interface StripeDoubleOptions {
  /** Secret keys the double accepts (Bearer). */
  apiKeys?: string[];
  /** Where to POST webhooks; can be set later with `double.webhooks.url = …`. */
  webhookUrl?: string;
  webhookSecrets?: string[];
  /** Payment method types enabled on the "account". */
  accountPaymentMethods?: Array<'card' | 'alipay'>;
  /** Epoch seconds. */
  now?: () => number;
  /** Port on 127.0.0.1; 0 (default) picks a free one. Fixed for the dev mode (scripts/stripe-dev.ts). */
  port?: number;
}

export class StripeDouble {
  readonly apiKeys: Set<string>;
  readonly webhooks: WebhookSender;
  readonly requests: RecordedRequest[] = [];
  readonly paymentIntents = new Map<string, Obj>();
  readonly charges = new Map<string, Obj>();
  readonly refunds = new Map<string, Obj>();
  readonly disputes = new Map<string, Obj>();
  readonly sessions = new Map<string, Obj>();
  /** Newest first, as `GET /v1/events` lists them. */
  readonly events: StripeEvent[] = [];
  /** Refunds on card payments settle at once unless this is on (Alipay refunds are always async). */
  asyncCardRefunds = false;

  private readonly piExtra = new Map<string, PiExtra>();
  private readonly sessionPiData = new Map<string, Obj>();
  private readonly delivered = new Set<string>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private injections: FailureInjection[] = [];
  private readonly accountMethods: Set<string>;
  private readonly now: () => number;
  private readonly server: Server;
  private readonly routes: Route[];
  baseUrl = '';
  port = 0;

  private constructor(opts: StripeDoubleOptions) {
    this.apiKeys = new Set(opts.apiKeys ?? ['sk_test_double']);
    this.accountMethods = new Set(opts.accountPaymentMethods ?? ['card', 'alipay']);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.webhooks = new WebhookSender(
      { url: opts.webhookUrl, secrets: opts.webhookSecrets ?? [newWebhookSecret()] },
      (id) => this.markDelivered(id),
      this.now,
    );
    this.routes = this.buildRoutes();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { type: 'api_error', message: `double bug: ${String(e)}` } }));
        }
      });
    });
  }

  static async start(opts: StripeDoubleOptions = {}): Promise<StripeDouble> {
    const d = new StripeDouble(opts);
    await new Promise<void>((resolve, reject) => {
      d.server.once('error', reject);
      d.server.listen(opts.port ?? 0, '127.0.0.1', resolve);
    });
    d.port = (d.server.address() as AddressInfo).port;
    d.baseUrl = `http://127.0.0.1:${d.port}`;
    return d;
  }

  async close(): Promise<void> {
    await this.webhooks.flush();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * The next `count` API requests fail as described (consumed in order). With `method`/`path`, only
   * matching requests take it, e.g. `{kind: 'connection_reset', method: 'POST', path: '/v1/refunds'}`.
   */
  inject(failure: FailureInjection, count = 1): void {
    for (let i = 0; i < count; i++) this.injections.push(failure);
  }

  private takeInjection(method: string, path: string): FailureInjection | undefined {
    const i = this.injections.findIndex(
      (j) => (j.method === undefined || j.method === method) && (j.path === undefined || j.path === path),
    );
    return i < 0 ? undefined : this.injections.splice(i, 1)[0];
  }

  clearInjections(): void {
    this.injections = [];
  }

  // ---------------------------------------------------------------- test triggers ("the customer")

  /** The customer confirms in the browser (Payment Element) with a test payment method. */
  customerConfirms(piId: string, paymentMethod: string, opts: { returnUrl?: string } = {}): Obj {
    const pi = this.paymentIntents.get(piId);
    if (!pi) throw new Error(`no PaymentIntent ${piId}`);
    const params: FormObject =
      paymentMethod === 'alipay'
        ? { payment_method_data: { type: 'alipay' } }
        : { payment_method: paymentMethod };
    if (opts.returnUrl) params.return_url = opts.returnUrl;
    const ctx: Ctx = {
      requestId: stripeId('req'),
      idempotencyKey: null,
      params,
      query: new URLSearchParams(),
      match: [],
    };
    this.validateConfirm(pi, ctx);
    try {
      this.confirm(pi, ctx);
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e;
    }
    return pi;
  }

  /** The customer pays: confirm with a test card, finishing any redirect/3-D Secure step successfully. */
  customerPays(piId: string, paymentMethod = 'pm_card_visa'): Obj {
    const pi = this.customerConfirms(piId, paymentMethod, { returnUrl: 'https://example.test/return' });
    if (pi.status === 'requires_action') this.completeAction(piId, 'succeeded');
    return pi;
  }

  /** The customer finishes (or abandons/fails) the redirect: 3-D Secure or Alipay authorisation. */
  completeAction(piId: string, outcome: 'succeeded' | 'failed'): Obj {
    const pi = this.paymentIntents.get(piId);
    const extra = this.piExtra.get(piId);
    if (!pi || !extra || pi.status !== 'requires_action')
      throw new Error(`${piId} is not awaiting an action`);
    const pm = String(pi.payment_method);
    if (outcome === 'succeeded') {
      this.succeed(pi, extra.methodType ?? 'card', pm, { riskLevel: 'normal', riskScore: 8 });
    } else {
      const charge = this.newCharge(pi, extra.methodType ?? 'card', pm, 'failed');
      this.failPi(pi, charge, {
        code: 'payment_intent_authentication_failure',
        message:
          'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      });
    }
    return pi;
  }

  /** The cardholder disputes a succeeded card payment. Alipay payments cannot be disputed. */
  dispute(piId: string, reason = 'fraudulent'): Obj {
    const pi = this.paymentIntents.get(piId);
    if (pi?.status !== 'succeeded') throw new Error(`${piId} has no succeeded payment to dispute`);
    if (this.piExtra.get(piId)?.methodType === 'alipay')
      throw new Error('Alipay payments cannot be disputed');
    const charge = this.charges.get(String(pi.latest_charge)) as Obj;
    const d = Object.assign(template('dispute'), {
      id: stripeId('dp'),
      amount: charge.amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: pi.id,
      reason,
      status: 'needs_response',
      created: this.now(),
      is_charge_refundable: false,
      metadata: {},
    });
    this.disputes.set(d.id, d);
    charge.disputed = true;
    this.emit('charge.dispute.created', d, null);
    return d;
  }

  /** The card network decides a dispute: `won` (funds reinstated) or `lost` (funds stay withdrawn). */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): Obj {
    const d = this.disputes.get(disputeId);
    if (!d || d.status === 'won' || d.status === 'lost') throw new Error(`${disputeId} is not open`);
    const previous = { status: d.status };
    d.status = outcome;
    this.emit('charge.dispute.closed', d, null, previous);
    return d;
  }

  /** An asynchronous refund (Alipay, or cards with `asyncCardRefunds`) reaches its final state. */
  settleRefund(refundId: string, outcome: 'succeeded' | 'failed', failureReason = 'declined'): Obj {
    const r = this.refunds.get(refundId);
    if (r?.status !== 'pending') throw new Error(`${refundId} is not pending`);
    if (outcome === 'succeeded') {
      r.status = 'succeeded';
      this.emit('refund.updated', r, null, { status: 'pending' });
      this.emit('charge.refund.updated', r, null, { status: 'pending' });
    } else {
      r.status = 'failed';
      r.failure_reason = failureReason;
      const charge = this.charges.get(String(r.charge)) as Obj;
      charge.amount_refunded = (charge.amount_refunded as number) - (r.amount as number);
      charge.refunded = false;
      this.emit('refund.failed', r, null, { status: 'pending' });
      this.emit('charge.refund.updated', r, null, { status: 'pending' });
    }
    return r;
  }

  /**
   * A refund that already succeeded fails afterwards, as Stripe documents for closed cards and bank
   * accounts: the refund's status becomes `failed` with `failure_reason` and a
   * `failure_balance_transaction` (the money is back in the merchant's balance), the charge's
   * `amount_refunded` shrinks again, and `refund.failed`, `refund.updated` and
   * `charge.refund.updated` are sent.
   */
  failSucceededRefund(refundId: string, failureReason = 'expired_or_canceled_card'): Obj {
    const r = this.refunds.get(refundId);
    if (r?.status !== 'succeeded') throw new Error(`${refundId} has not succeeded`);
    r.status = 'failed';
    r.failure_reason = failureReason;
    r.failure_balance_transaction = stripeId('txn');
    const charge = this.charges.get(String(r.charge)) as Obj;
    charge.amount_refunded = (charge.amount_refunded as number) - (r.amount as number);
    charge.refunded = false;
    const previous = { status: 'succeeded', failure_reason: null };
    this.emit('refund.failed', r, null, previous);
    this.emit('refund.updated', r, null, previous);
    this.emit('charge.refund.updated', r, null, previous);
    return r;
  }

  /** The customer pays on the hosted Checkout page: the PaymentIntent is created then. */
  customerPaysCheckout(sessionId: string, paymentMethod = 'pm_card_visa'): Obj {
    const s = this.sessions.get(sessionId);
    if (s?.status !== 'open') throw new Error(`${sessionId} is not open`);
    // A retry on the hosted page reuses the session's PaymentIntent.
    const existing =
      typeof s.payment_intent === 'string' ? this.paymentIntents.get(s.payment_intent) : undefined;
    const piData = this.sessionPiData.get(sessionId) ?? {};
    const pi =
      existing ??
      this.createPi({
        amount: s.amount_total as number,
        currency: s.currency as string,
        metadata: (piData.metadata as Obj | undefined) ?? {},
        allowed: s.allowed_payment_method_types as string[] | null,
        requestId: null,
        receiptEmail: (s.customer_email as string | null) ?? null,
      });
    s.payment_intent = pi.id;
    if (TEST_CARDS[paymentMethod]?.kind === 'decline') this.customerConfirms(pi.id as string, paymentMethod);
    else this.customerPays(pi.id as string, paymentMethod);
    if (pi.status === 'succeeded') {
      s.status = 'complete';
      s.payment_status = 'paid';
      this.emit('checkout.session.completed', s, null);
    }
    return s;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = stripeId('req');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const idempotencyKey =
      method === 'POST' ? ((req.headers['idempotency-key'] as string | undefined) ?? null) : null;
    const version = req.headers['stripe-version'] as string | undefined;
    let params: FormObject = {};
    const injection = this.takeInjection(method, url.pathname);

    const send = (status: number, body: string, extra: Record<string, string> = {}) => {
      if (injection?.kind === 'connection_reset_after') {
        this.requests.push({ method, path: url.pathname, headers: req.headers, params, status: 0 });
        req.socket.destroy();
        return;
      }
      if (injection?.kind === 'http_500_after') {
        status = 500;
        body = JSON.stringify(
          new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' }).body(
            requestId,
          ),
          null,
          2,
        );
      }
      this.requests.push({ method, path: url.pathname, headers: req.headers, params, status });
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': requestId,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        'stripe-version': version ?? DOUBLE_API_VERSION,
        ...extra,
      });
      res.end(body);
    };
    const sendError = (e: StripeApiError) => send(e.status, JSON.stringify(e.body(requestId), null, 2));

    if (injection?.kind === 'connection_reset') {
      this.requests.push({ method, path: url.pathname, headers: req.headers, params, status: 0 });
      req.socket.destroy();
      return;
    }
    if (injection?.kind === 'http_500') {
      return sendError(new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' }));
    }
    if (injection?.kind === 'http_429') {
      return sendError(
        new StripeApiError(429, {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message:
            'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
        }),
      );
    }

    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) {
      return sendError(
        new StripeApiError(401, {
          type: 'invalid_request_error',
          message:
            'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.',
        }),
      );
    }
    const apiKey = auth.slice('Bearer '.length);
    if (!this.apiKeys.has(apiKey)) {
      return sendError(
        new StripeApiError(401, {
          type: 'invalid_request_error',
          message: `Invalid API Key provided: ${apiKey.slice(0, 8)}${'*'.repeat(Math.max(0, apiKey.length - 12))}${apiKey.slice(-4)}`,
        }),
      );
    }
    if (version !== undefined && version !== DOUBLE_API_VERSION) {
      return sendError(
        invalid(`Invalid Stripe API version: ${version}`, { code: 'invalid_stripe_api_version' }),
      );
    }

    try {
      params = parseStripeForm(method === 'GET' ? url.search.slice(1) : raw);
    } catch (e) {
      if (e instanceof FormParseError) return sendError(invalid(e.message));
      throw e;
    }
    if (
      method === 'POST' &&
      raw !== '' &&
      !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
    ) {
      return sendError(
        invalid('Invalid request: unsupported Content-Type. Use application/x-www-form-urlencoded.'),
      );
    }

    let route: Route | undefined;
    let match: string[] = [];
    for (const r of this.routes) {
      const m = r.method === method ? r.pattern.exec(url.pathname) : null;
      if (m) {
        route = r;
        match = m.slice(1);
        break;
      }
    }
    if (!route) {
      return sendError(
        new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        }),
      );
    }

    // Idempotency (docs.stripe.com/api/idempotent_requests), per (secret key, idempotency key).
    let record: IdempotencyRecord | undefined;
    if (idempotencyKey !== null) {
      if (idempotencyKey.length > 255) {
        return sendError(
          invalid('Idempotency keys can be at most 255 characters long.', { param: 'Idempotency-Key' }),
        );
      }
      const scope = `${apiKey}\u0000${idempotencyKey}`;
      const fingerprint = createHash('sha256')
        .update(`${method} ${url.pathname}\n${canonical(params)}`)
        .digest('hex');
      const existing = this.idempotency.get(scope);
      if (existing) {
        if (existing.inFlight) {
          return sendError(
            new StripeApiError(409, {
              type: 'invalid_request_error',
              code: 'idempotency_key_in_use',
              message:
                'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ' +
                `${idempotencyKey}. Please try again later.`,
            }),
          );
        }
        if (existing.fingerprint !== fingerprint) {
          return sendError(
            new StripeApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          );
        }
        return send(existing.status as number, existing.body as string, {
          'idempotent-replayed': 'true',
          'original-request': existing.requestId as string,
        });
      }
      record = { fingerprint, inFlight: true };
      // Validation failures are not stored, so register the key only once validation passes.
      const ctx: Ctx = { requestId, idempotencyKey, params, query: url.searchParams, match };
      try {
        this.checkAllowed(route, params);
        route.validate?.(ctx);
      } catch (e) {
        if (e instanceof StripeApiError) return sendError(e);
        throw e;
      }
      this.idempotency.set(scope, record);
      return this.executeAndSend(route, ctx, record, injection, requestId, send);
    }

    const ctx: Ctx = { requestId, idempotencyKey, params, query: url.searchParams, match };
    try {
      this.checkAllowed(route, params);
      route.validate?.(ctx);
    } catch (e) {
      if (e instanceof StripeApiError) return sendError(e);
      throw e;
    }
    return this.executeAndSend(route, ctx, undefined, injection, requestId, send);
  }

  private async executeAndSend(
    route: Route,
    ctx: Ctx,
    record: IdempotencyRecord | undefined,
    injection: FailureInjection | undefined,
    requestId: string,
    send: (status: number, body: string) => void,
  ): Promise<void> {
    if (injection?.kind === 'delay') await new Promise((r) => setTimeout(r, injection.ms));
    let status: number;
    let body: string;
    try {
      if (injection?.kind === 'http_500_stored') {
        throw new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' });
      }
      const out = route.execute(ctx);
      status = out.status ?? 200;
      body = JSON.stringify(out.body, null, 2);
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e;
      status = e.status;
      body = JSON.stringify(e.body(requestId), null, 2);
    }
    if (record) Object.assign(record, { inFlight: false, status, body, requestId });
    send(status, body);
  }

  private checkAllowed(route: Route, params: FormObject): void {
    if (!route.allowed) return;
    for (const k of Object.keys(params)) if (!route.allowed.includes(k)) throw unknownParameter(k);
  }

  // ---------------------------------------------------------------- routes

  private buildRoutes(): Route[] {
    return [
      {
        method: 'POST',
        pattern: /^\/v1\/payment_intents$/,
        allowed: [
          'amount',
          'currency',
          'automatic_payment_methods',
          'allowed_payment_method_types',
          'excluded_payment_method_types',
          'metadata',
          'receipt_email',
          'description',
          'confirm',
          'payment_method',
          'payment_method_data',
          'return_url',
          'expand',
        ],
        validate: ({ params }) => {
          const amount = requireAmount(params);
          const currency = requireCurrency(params);
          checkChargeAmount(amount, currency);
          validateMetadata(params.metadata);
          const allowed = params.allowed_payment_method_types;
          if (allowed !== undefined) {
            if (!Array.isArray(allowed))
              throw invalid('Invalid array', { param: 'allowed_payment_method_types' });
            for (const t of allowed) {
              if (typeof t !== 'string' || !METHOD_TYPES.has(t)) {
                throw invalid(`Invalid payment method type: ${String(t)}`, {
                  param: 'allowed_payment_method_types',
                });
              }
            }
          }
        },
        execute: (ctx) => {
          const { params } = ctx;
          const pi = this.createPi({
            amount: Number(params.amount),
            currency: String(params.currency).toLowerCase(),
            metadata: (params.metadata as Obj | undefined) ?? {},
            allowed: (params.allowed_payment_method_types as string[] | undefined) ?? null,
            requestId: ctx.requestId,
            idempotencyKey: ctx.idempotencyKey,
            receiptEmail: typeof params.receipt_email === 'string' ? params.receipt_email : null,
          });
          if (params.confirm === 'true') {
            this.validateConfirm(pi, ctx);
            this.confirm(pi, ctx);
          }
          return { body: this.expandPi(pi, params.expand) };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/payment_intents\/([^/]+)$/,
        allowed: ['expand', 'client_secret'],
        execute: ({ match, params }) => ({
          body: this.expandPi(this.getPi(match[0] as string), params.expand),
        }),
      },
      {
        method: 'POST',
        pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
        allowed: ['payment_method', 'payment_method_data', 'return_url', 'expand', 'receipt_email'],
        validate: (ctx) => this.validateConfirm(this.getPi(ctx.match[0] as string), ctx),
        execute: (ctx) => {
          const pi = this.getPi(ctx.match[0] as string);
          this.confirm(pi, ctx);
          return { body: this.expandPi(pi, ctx.params.expand) };
        },
      },
      {
        method: 'POST',
        pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
        allowed: ['cancellation_reason', 'expand'],
        validate: ({ match, params }) => {
          const pi = this.getPi(match[0] as string);
          const reasons = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];
          if (
            params.cancellation_reason !== undefined &&
            !reasons.includes(String(params.cancellation_reason))
          ) {
            throw invalid(`Invalid cancellation_reason: must be one of ${reasons.join(', ')}`, {
              param: 'cancellation_reason',
            });
          }
          if (['succeeded', 'canceled', 'processing'].includes(String(pi.status))) {
            throw invalid(
              `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action.`,
              { code: 'payment_intent_unexpected_state' },
            );
          }
        },
        execute: (ctx) => {
          const pi = this.getPi(ctx.match[0] as string);
          const previous = { status: pi.status };
          Object.assign(pi, {
            status: 'canceled',
            canceled_at: this.now(),
            cancellation_reason: (ctx.params.cancellation_reason as string | undefined) ?? null,
            next_action: null,
          });
          this.emit('payment_intent.canceled', pi, ctx, previous);
          return { body: this.expandPi(pi, ctx.params.expand) };
        },
      },
      {
        method: 'POST',
        pattern: /^\/v1\/refunds$/,
        allowed: ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand'],
        validate: (ctx) => {
          this.refundTarget(ctx.params);
        },
        execute: (ctx) => {
          const { charge, pi, amount } = this.refundTarget(ctx.params);
          const methodType = this.piExtra.get(pi.id as string)?.methodType;
          const async = methodType === 'alipay' || this.asyncCardRefunds;
          const r = Object.assign(template('refund'), {
            id: stripeId('re'),
            amount,
            charge: charge.id,
            payment_intent: pi.id,
            currency: charge.currency,
            created: this.now(),
            metadata: (ctx.params.metadata as Obj | undefined) ?? {},
            reason: (ctx.params.reason as string | undefined) ?? null,
            status: async ? 'pending' : 'succeeded',
            balance_transaction: async ? null : stripeId('txn'),
            destination_details:
              methodType === 'alipay'
                ? { type: 'alipay', alipay: {} }
                : { type: 'card', card: { type: 'refund' } },
          });
          this.refunds.set(r.id, r);
          const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
          charge.amount_refunded = (charge.amount_refunded as number) + amount;
          charge.refunded = charge.amount_refunded === charge.amount;
          this.emit('refund.created', r, ctx);
          this.emit('charge.refunded', charge, ctx, previous);
          return { body: r };
        },
      },
      {
        // docs.stripe.com/api/refunds/list: newest first, cursor pagination over all refunds.
        method: 'GET',
        pattern: /^\/v1\/refunds$/,
        allowed: [
          'charge',
          'created',
          'ending_before',
          'expand',
          'limit',
          'payment_intent',
          'starting_after',
        ],
        validate: ({ params }) => {
          listLimit(params);
          for (const p of ['charge', 'payment_intent', 'starting_after', 'ending_before']) {
            if (params[p] !== undefined && typeof params[p] !== 'string')
              throw invalid(`Invalid string: ${JSON.stringify(params[p])}`, { param: p });
          }
          if (params.starting_after !== undefined && params.ending_before !== undefined) {
            throw invalid('You may only specify one of these parameters: ending_before, starting_after.', {
              param: 'ending_before',
            });
          }
          for (const p of ['starting_after', 'ending_before'] as const) {
            const id = params[p];
            if (typeof id === 'string' && !this.refunds.has(id)) {
              throw new StripeApiError(400, {
                type: 'invalid_request_error',
                code: 'resource_missing',
                param: p,
                message: `No such refund: '${id}'`,
              });
            }
          }
          createdFilter(params.created);
        },
        execute: ({ params }) => {
          const limit = listLimit(params);
          const created = createdFilter(params.created);
          // Insertion order is creation order; the list is newest first.
          const all = [...this.refunds.values()].reverse();
          const matches = (r: Obj) =>
            (params.payment_intent === undefined || r.payment_intent === params.payment_intent) &&
            (params.charge === undefined || r.charge === params.charge) &&
            created(r.created as number);
          let data: Obj[];
          let hasMore: boolean;
          if (typeof params.ending_before === 'string') {
            // The page just before the cursor (newer objects), still listed newest first.
            const newer = all
              .slice(
                0,
                all.findIndex((r) => r.id === params.ending_before),
              )
              .filter(matches);
            data = newer.slice(Math.max(0, newer.length - limit));
            hasMore = newer.length > limit;
          } else {
            const from =
              typeof params.starting_after === 'string'
                ? all.findIndex((r) => r.id === params.starting_after) + 1
                : 0;
            const older = all.slice(from).filter(matches);
            data = older.slice(0, limit);
            hasMore = older.length > limit;
          }
          return { body: { object: 'list', data, has_more: hasMore, url: '/v1/refunds' } };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/refunds\/([^/]+)$/,
        allowed: ['expand'],
        execute: ({ match }) => {
          const r = this.refunds.get(match[0] as string);
          if (!r) throw missing('refund', match[0] as string);
          return { body: r };
        },
      },
      {
        method: 'POST',
        pattern: /^\/v1\/checkout\/sessions$/,
        allowed: [
          'mode',
          'line_items',
          'success_url',
          'cancel_url',
          'return_url',
          'ui_mode',
          'metadata',
          'payment_intent_data',
          'client_reference_id',
          'customer_email',
          'allowed_payment_method_types',
          'expand',
        ],
        validate: ({ params }) => {
          if (params.mode === undefined) throw parameterMissing('mode');
          if (params.mode !== 'payment')
            throw invalid('The Stripe double supports mode=payment only.', { param: 'mode' });
          const ui = String(params.ui_mode ?? 'hosted_page');
          if (!['hosted_page', 'embedded_page', 'elements', 'form'].includes(ui)) {
            throw invalid(`Invalid ui_mode: ${ui}`, { param: 'ui_mode' });
          }
          if (ui === 'hosted_page' && params.success_url === undefined) throw parameterMissing('success_url');
          const { amount, currency } = sessionTotal(params.line_items);
          checkChargeAmount(amount, currency);
          validateMetadata(params.metadata);
          validateMetadata((params.payment_intent_data as FormObject | undefined)?.metadata);
        },
        execute: (ctx) => {
          const { params } = ctx;
          const { amount, currency } = sessionTotal(params.line_items);
          const id = `cs_test_${rand(58)}`;
          const allowed = (params.allowed_payment_method_types as string[] | undefined) ?? null;
          const s = Object.assign(template('checkout.session'), {
            id,
            amount_subtotal: amount,
            amount_total: amount,
            currency,
            created: this.now(),
            expires_at: this.now() + 24 * 3600,
            mode: 'payment',
            metadata: (params.metadata as Obj | undefined) ?? {},
            client_reference_id: (params.client_reference_id as string | undefined) ?? null,
            customer_email: (params.customer_email as string | undefined) ?? null,
            // Created lazily when the customer pays (API ≥ 2022-08-01).
            payment_intent: null,
            payment_status: 'unpaid',
            status: 'open',
            success_url: (params.success_url as string | undefined) ?? null,
            cancel_url: (params.cancel_url as string | undefined) ?? null,
            ui_mode: params.ui_mode ?? 'hosted_page',
            url: `${this.baseUrl}/checkout/pay/${id}`,
            allowed_payment_method_types: allowed,
            payment_method_types: this.methodTypes(currency, allowed),
            shipping_cost: null,
            total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
          });
          this.sessions.set(id, s);
          this.sessionPiData.set(id, (params.payment_intent_data as Obj | undefined) ?? {});
          return { body: s };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
        allowed: ['expand'],
        execute: ({ match }) => {
          const s = this.sessions.get(match[0] as string);
          if (!s) throw missing('checkout.session', match[0] as string, 'session');
          return { body: s };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/events$/,
        allowed: ['limit', 'type', 'delivery_success', 'starting_after', 'ending_before', 'created', 'types'],
        validate: ({ params }) => {
          const limit = params.limit === undefined ? 10 : Number(params.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
            throw invalid('Invalid integer: limit must be between 1 and 100', { param: 'limit' });
          }
          if (
            params.delivery_success !== undefined &&
            !['true', 'false'].includes(String(params.delivery_success))
          ) {
            throw invalid('Invalid boolean', { param: 'delivery_success' });
          }
        },
        execute: ({ params }) => {
          const limit = params.limit === undefined ? 10 : Number(params.limit);
          let list = this.events.filter((e) => params.type === undefined || e.type === params.type);
          if (params.delivery_success !== undefined) {
            const want = params.delivery_success === 'true';
            list = list.filter((e) => (e.pending_webhooks === 0) === want);
          }
          if (typeof params.starting_after === 'string') {
            const i = list.findIndex((e) => e.id === params.starting_after);
            list = i < 0 ? [] : list.slice(i + 1);
          }
          return {
            body: {
              object: 'list',
              url: '/v1/events',
              has_more: list.length > limit,
              data: list.slice(0, limit),
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/events\/([^/]+)$/,
        execute: ({ match }) => {
          const e = this.events.find((x) => x.id === match[0]);
          if (!e) throw missing('event', match[0] as string);
          return { body: e as unknown as Obj };
        },
      },
    ];
  }

  // ---------------------------------------------------------------- state

  private getPi(id: string): Obj {
    const pi = this.paymentIntents.get(id);
    if (!pi) throw missing('payment_intent', id, 'intent');
    return pi;
  }

  private methodTypes(currency: string, allowed: string[] | null): string[] {
    return [...this.accountMethods].filter(
      (t) => (allowed === null || allowed.includes(t)) && (t !== 'alipay' || ALIPAY_CURRENCIES.has(currency)),
    );
  }

  private createPi(p: {
    amount: number;
    currency: string;
    metadata: Obj;
    allowed: string[] | null;
    requestId: string | null;
    idempotencyKey?: string | null;
    receiptEmail: string | null;
  }): Obj {
    const id = stripeId('pi');
    const pi = Object.assign(template('payment_intent'), {
      id,
      amount: p.amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: p.currency,
      metadata: p.metadata,
      status: 'requires_payment_method',
      client_secret: `${id}_secret_${rand(25)}`,
      created: this.now(),
      canceled_at: null,
      cancellation_reason: null,
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      payment_method: null,
      processing: null,
      receipt_email: p.receiptEmail,
      transfer_data: null,
      automatic_payment_methods: { allow_redirects: 'always', enabled: true },
      allowed_payment_method_types: p.allowed,
      excluded_payment_method_types: null,
      payment_method_types: this.methodTypes(p.currency, p.allowed),
      payment_method_configuration_details: null,
      managed_payments: null,
    });
    this.paymentIntents.set(id, pi);
    this.piExtra.set(id, { methodType: null, pendingOutcome: null });
    this.emit(
      'payment_intent.created',
      pi,
      p.requestId === null ? null : { requestId: p.requestId, idempotencyKey: p.idempotencyKey ?? null },
    );
    return pi;
  }

  private validateConfirm(pi: Obj, ctx: Ctx): void {
    if (!['requires_payment_method', 'requires_confirmation'].includes(String(pi.status))) {
      throw invalid(
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    const { params } = ctx;
    const pmData = params.payment_method_data as FormObject | undefined;
    const pm = params.payment_method;
    if (pm === undefined && pmData === undefined) throw parameterMissing('payment_method');
    const type = pmData ? String(pmData.type) : 'card';
    if (pm !== undefined && !(String(pm) in TEST_CARDS)) {
      throw invalid(`No such PaymentMethod: '${String(pm)}'`, {
        code: 'resource_missing',
        param: 'payment_method',
      });
    }
    if (!(pi.payment_method_types as string[]).includes(type)) {
      throw invalid(
        `The PaymentMethod provided (${type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${(pi.payment_method_types as string[]).join(', ')}.`,
        { code: 'payment_intent_invalid_parameter', param: 'payment_method' },
      );
    }
    if (type === 'alipay' && params.return_url === undefined) throw parameterMissing('return_url');
  }

  private confirm(pi: Obj, ctx: Ctx): void {
    const { params } = ctx;
    const pmData = params.payment_method_data as FormObject | undefined;
    const extra = this.piExtra.get(pi.id as string) as PiExtra;
    const returnUrl = (params.return_url as string | undefined) ?? null;
    if (pmData?.type === 'alipay') {
      extra.methodType = 'alipay';
      Object.assign(pi, {
        payment_method: stripeId('pm'),
        status: 'requires_action',
        last_payment_error: null,
        next_action: {
          type: 'alipay_handle_redirect',
          alipay_handle_redirect: {
            native_data: null,
            native_url: null,
            return_url: returnUrl,
            url: `${this.baseUrl}/alipay/authorize/${pi.id}`,
          },
        },
      });
      this.emit('payment_intent.requires_action', pi, ctx, { status: 'requires_payment_method' });
      return;
    }
    const pm = String(params.payment_method);
    const outcome = TEST_CARDS[pm] as CardOutcome;
    extra.methodType = 'card';
    if (outcome.kind === 'success') {
      this.succeed(pi, 'card', pm, outcome, ctx);
      return;
    }
    if (outcome.kind === 'three_ds') {
      Object.assign(pi, {
        payment_method: pm,
        status: 'requires_action',
        next_action: returnUrl
          ? {
              type: 'redirect_to_url',
              redirect_to_url: { return_url: returnUrl, url: `${this.baseUrl}/3ds/${pi.id}` },
            }
          : {
              type: 'use_stripe_sdk',
              use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `${this.baseUrl}/3ds/${pi.id}` },
            },
      });
      this.emit('payment_intent.requires_action', pi, ctx, { status: 'requires_payment_method' });
      return;
    }
    const charge = this.newCharge(pi, 'card', pm, 'failed', {
      failure_code: 'card_declined',
      failure_message: outcome.message,
      outcome: chargeOutcome('declined_by_network', outcome.declineCode, 'normal', 30, 'issuer_declined'),
    });
    this.failPi(
      pi,
      charge,
      { code: 'card_declined', declineCode: outcome.declineCode, message: outcome.message },
      ctx,
    );
    throw new StripeApiError(402, {
      type: 'card_error',
      code: 'card_declined',
      decline_code: outcome.declineCode,
      message: outcome.message,
      charge: charge.id as string,
      param: '',
      payment_intent: structuredClone(pi),
    });
  }

  private newCharge(
    pi: Obj,
    methodType: string,
    pm: string,
    status: 'succeeded' | 'failed',
    over: Obj = {},
  ): Obj {
    const c = template('charge');
    delete c.refunds; // present only when expanded (API ≥ 2022-11-15)
    delete c.source;
    Object.assign(c, {
      id: stripeId('ch'),
      amount: pi.amount,
      amount_captured: status === 'succeeded' ? pi.amount : 0,
      amount_refunded: 0,
      captured: status === 'succeeded',
      paid: status === 'succeeded',
      refunded: false,
      disputed: false,
      currency: pi.currency,
      created: this.now(),
      description: null,
      payment_intent: pi.id,
      payment_method: pm,
      metadata: structuredClone(pi.metadata),
      status,
      failure_code: null,
      failure_message: null,
      balance_transaction: status === 'succeeded' ? stripeId('txn') : null,
      billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
      transfer_data: null,
      payment_method_details:
        methodType === 'alipay'
          ? {
              type: 'alipay',
              alipay: { buyer_id: '2088123456789012', fingerprint: rand(16), transaction_id: rand(28) },
            }
          : c.payment_method_details,
      ...over,
    });
    this.charges.set(c.id as string, c);
    return c;
  }

  private succeed(
    pi: Obj,
    methodType: string,
    pm: string,
    risk: { riskLevel: string; riskScore: number },
    ctx: Ctx | null = null,
  ): void {
    const charge = this.newCharge(pi, methodType, pm, 'succeeded', {
      outcome: chargeOutcome('approved_by_network', null, risk.riskLevel, risk.riskScore, 'authorized'),
    });
    const previous = { status: pi.status };
    Object.assign(pi, {
      status: 'succeeded',
      amount_received: pi.amount,
      latest_charge: charge.id,
      payment_method: pm,
      last_payment_error: null,
      next_action: null,
    });
    this.emit('charge.succeeded', charge, ctx);
    this.emit('payment_intent.succeeded', pi, ctx, previous);
  }

  private failPi(
    pi: Obj,
    charge: Obj,
    err: { code: string; declineCode?: string; message: string },
    ctx: Ctx | null = null,
  ): void {
    const previous = { status: pi.status };
    Object.assign(pi, {
      // Not final: the customer may try another payment method (stripe.md §3).
      status: 'requires_payment_method',
      latest_charge: charge.id,
      payment_method: null,
      next_action: null,
      last_payment_error: {
        type: 'card_error',
        code: err.code,
        ...(err.declineCode ? { decline_code: err.declineCode } : {}),
        message: err.message,
        charge: charge.id,
        doc_url: `https://stripe.com/docs/error-codes/${err.code.replaceAll('_', '-')}`,
      },
    });
    this.emit('charge.failed', charge, ctx);
    this.emit('payment_intent.payment_failed', pi, ctx, previous);
  }

  private refundTarget(params: FormObject): { charge: Obj; pi: Obj; amount: number } {
    let pi: Obj | undefined;
    if (params.payment_intent !== undefined) {
      pi = this.paymentIntents.get(String(params.payment_intent));
      if (!pi) throw missing('payment_intent', String(params.payment_intent), 'payment_intent');
    } else if (params.charge !== undefined) {
      const c = this.charges.get(String(params.charge));
      if (!c) throw missing('charge', String(params.charge), 'charge');
      pi = this.paymentIntents.get(String(c.payment_intent));
    } else {
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
        {
          code: 'parameter_missing',
        },
      );
    }
    if (pi?.status !== 'succeeded') {
      throw invalid(`This PaymentIntent (${pi?.id}) does not have a successful charge to refund.`, {
        code: 'payment_intent_unexpected_state',
      });
    }
    const charge = this.charges.get(String(pi.latest_charge)) as Obj;
    const remaining = (charge.amount as number) - (charge.amount_refunded as number);
    if (remaining <= 0) {
      throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    }
    let amount = remaining;
    if (params.amount !== undefined) {
      if (!/^\d+$/.test(String(params.amount)) || Number(params.amount) < 1) {
        throw invalid('Invalid positive integer', { param: 'amount' });
      }
      amount = Number(params.amount);
      if (amount > remaining) {
        throw invalid(
          `Refund amount (${amount} ${charge.currency}) is greater than unrefunded amount on charge (${remaining} ${charge.currency})`,
          { code: 'amount_too_large', param: 'amount' },
        );
      }
    }
    if (
      params.reason !== undefined &&
      !['duplicate', 'fraudulent', 'requested_by_customer'].includes(String(params.reason))
    ) {
      throw invalid('Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer', {
        param: 'reason',
      });
    }
    validateMetadata(params.metadata);
    return { charge, pi, amount };
  }

  private expandPi(pi: Obj, expand: FormValue | undefined): Obj {
    const fields = Array.isArray(expand) ? expand.map(String) : [];
    const out = structuredClone(pi);
    if (fields.includes('latest_charge') && typeof pi.latest_charge === 'string') {
      out.latest_charge = structuredClone(this.charges.get(pi.latest_charge) ?? null);
    }
    return out;
  }

  private emit(
    type: string,
    object: Obj,
    ctx: { requestId: string | null; idempotencyKey: string | null } | null,
    previous?: Obj,
  ): StripeEvent {
    const hasEndpoint = this.webhooks.url !== undefined;
    const event: StripeEvent = {
      ...(template('event') as unknown as StripeEvent),
      id: stripeId('evt'),
      object: 'event',
      api_version: DOUBLE_API_VERSION,
      created: this.now(),
      livemode: false,
      pending_webhooks: hasEndpoint ? 1 : 0,
      type,
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      request: { id: ctx?.requestId ?? null, idempotency_key: ctx?.idempotencyKey ?? null },
    };
    this.events.unshift(event);
    this.webhooks.enqueue(event);
    return event;
  }

  private markDelivered(eventId: string): void {
    if (this.delivered.has(eventId)) return;
    this.delivered.add(eventId);
    const e = this.events.find((x) => x.id === eventId);
    if (e) e.pending_webhooks = 0;
  }
}

// ---------------------------------------------------------------- validation helpers

function chargeOutcome(
  networkStatus: string,
  reason: string | null,
  riskLevel: string,
  riskScore: number,
  type: string,
): Obj {
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: null,
    network_status: networkStatus,
    reason,
    risk_level: riskLevel,
    risk_score: riskScore,
    seller_message:
      type === 'authorized'
        ? 'Payment complete.'
        : 'The bank did not return any further details with this decline.',
    type,
  };
}

/** A list call's `limit`: an integer from 1 to 100, 10 when absent. */
function listLimit(params: FormObject): number {
  if (params.limit === undefined) return 10;
  if (typeof params.limit !== 'string' || !/^-?\d+$/.test(params.limit))
    throw invalid(`Invalid integer: ${String(params.limit)}`, { param: 'limit' });
  const limit = Number(params.limit);
  if (limit < 1) throw invalid('This value must be greater than or equal to 1.', { param: 'limit' });
  if (limit > 100) throw invalid('This value must be less than or equal to 100.', { param: 'limit' });
  return limit;
}

/** A list call's `created` filter: a timestamp, or `{gt, gte, lt, lte}`. */
function createdFilter(v: FormValue | undefined): (created: number) => boolean {
  if (v === undefined) return () => true;
  const int = (x: FormValue | undefined, param: string) => {
    if (typeof x !== 'string' || !/^\d+$/.test(x)) throw invalid(`Invalid integer: ${String(x)}`, { param });
    return Number(x);
  };
  if (typeof v === 'string') {
    const at = int(v, 'created');
    return (c) => c === at;
  }
  if (Array.isArray(v)) throw invalid('Invalid timestamp', { param: 'created' });
  const bounds: Array<(c: number) => boolean> = [];
  for (const [k, x] of Object.entries(v)) {
    const n = int(x, `created[${k}]`);
    if (k === 'gt') bounds.push((c) => c > n);
    else if (k === 'gte') bounds.push((c) => c >= n);
    else if (k === 'lt') bounds.push((c) => c < n);
    else if (k === 'lte') bounds.push((c) => c <= n);
    else throw unknownParameter(`created[${k}]`);
  }
  return (c) => bounds.every((b) => b(c));
}

function requireAmount(params: FormObject): number {
  if (params.amount === undefined) throw parameterMissing('amount');
  if (typeof params.amount !== 'string' || !/^\d+$/.test(params.amount)) {
    throw invalid('Invalid integer: amount', { param: 'amount' });
  }
  return Number(params.amount);
}

function requireCurrency(params: FormObject): string {
  if (params.currency === undefined) throw parameterMissing('currency');
  const c = String(params.currency).toLowerCase();
  if (!CURRENCIES.has(c))
    throw invalid(`Invalid currency: ${c}. Stripe currently supports these currencies: …`, {
      param: 'currency',
    });
  return c;
}

function checkChargeAmount(amount: number, currency: string): void {
  const min = MINIMUM[currency] ?? 1;
  if (amount < min) {
    throw invalid(`Amount must be at least ${min} ${currency} (minor units)`, {
      code: 'amount_too_small',
      param: 'amount',
    });
  }
  if (amount > 99_999_999) {
    throw invalid('Amount must be no more than 99999999 (8 digits)', {
      code: 'amount_too_large',
      param: 'amount',
    });
  }
  if (currency === 'isk' && amount % 100 !== 0) {
    throw invalid('ISK amounts must be divisible by 100 (Stripe treats ISK as two-decimal)', {
      code: 'invalid_amount',
      param: 'amount',
    });
  }
  if (['bhd', 'jod', 'kwd', 'omr', 'tnd'].includes(currency) && amount % 10 !== 0) {
    throw invalid(`${currency.toUpperCase()} amounts must end in 0`, {
      code: 'invalid_amount',
      param: 'amount',
    });
  }
}

function sessionTotal(lineItems: FormValue | undefined): { amount: number; currency: string } {
  if (!Array.isArray(lineItems) || lineItems.length === 0) throw parameterMissing('line_items');
  let amount = 0;
  let currency: string | undefined;
  lineItems.forEach((li, i) => {
    const item = li as FormObject;
    const pd = item.price_data as FormObject | undefined;
    if (!pd)
      throw invalid('The Stripe double supports line_items[].price_data only.', {
        param: `line_items[${i}][price_data]`,
      });
    const c = requireCurrency(pd);
    if (currency !== undefined && c !== currency)
      throw invalid('All line items must use the same currency.', { param: 'line_items' });
    currency = c;
    if (!(pd.product_data as FormObject | undefined)?.name)
      throw parameterMissing(`line_items[${i}][price_data][product_data][name]`);
    const unit = requireAmount({ amount: pd.unit_amount as FormValue });
    const qty = item.quantity === undefined ? NaN : Number(item.quantity);
    if (!Number.isInteger(qty) || qty < 1) throw parameterMissing(`line_items[${i}][quantity]`);
    amount += unit * qty;
  });
  return { amount, currency: currency as string };
}

function validateMetadata(m: FormValue | undefined): void {
  if (m === undefined || m === '') return;
  if (typeof m !== 'object' || Array.isArray(m)) throw invalid('Invalid hash', { param: 'metadata' });
  const keys = Object.keys(m);
  if (keys.length > 50) throw invalid('Metadata can have at most 50 keys.', { param: 'metadata' });
  for (const k of keys) {
    if (k.length > 40)
      throw invalid('Metadata keys can be at most 40 characters long.', { param: `metadata[${k}]` });
    const v = m[k];
    if (typeof v !== 'string') throw invalid('Invalid metadata value', { param: `metadata[${k}]` });
    if (v.length > 500)
      throw invalid('Metadata values can be at most 500 characters long.', { param: `metadata[${k}]` });
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Obj)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
