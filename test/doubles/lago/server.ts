import { createHmac, generateKeyPairSync, randomUUID, sign as rsaSign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LagoSpec, loadLagoSpec } from './spec.ts';

/**
 * A faithful local double of the Lago API (v1.50/spec 1.51) for the endpoints Tollgate uses.
 * Real HTTP on 127.0.0.1; every request body is validated against the OpenAPI spec and every
 * response body it produces is asserted against the spec (violations are recorded in
 * `specViolations` and answered with 500, so a test notices).
 *
 * Behaviours follow docs lago.md §1 and §3–§6: bearer auth, root-key bodies, Lago's error shapes,
 * customer upsert, one currency per customer, idempotent subscriptions/wallets, events unique on
 * (external_subscription_id, transaction_id) with an all-or-nothing batch, paid credits settled
 * only when their asynchronous credit invoice is paid, premium-only payments/credit notes, signed
 * outgoing webhooks, and failure injection (before or after the write took effect).
 */

type Json = any;

export interface LagoDoubleOptions {
  apiKey?: string;
  premium?: boolean;
  /** Delay before a paid_credits transaction gets its credit invoice; 'manual' = only on tick(). */
  creditInvoiceDelayMs?: number | 'manual';
  webhookSignature?: 'hmac' | 'jwt';
  hmacKey?: string;
  /** `iss` claim of JWT-signed webhooks (Lago's LAGO_API_URL); defaults to the double's URL. */
  apiUrl?: string;
  random?: () => number;
}

export interface FailureInjection {
  /** Fraction of API calls that fail (0..1). */
  rate: number;
  /** Share of failing writes that fail AFTER the write took effect (0..1, default 0.5). */
  afterEffectShare?: number;
  /** How long a "timeout" failure holds the request before dropping it. */
  hangMs?: number;
}

interface Customer {
  lago_id: string;
  external_id: string;
  name: string | null;
  email: string | null;
  currency: string | null;
  metadata: Json[];
  created_at: string;
  sequential_id: number;
}

interface Wallet {
  lago_id: string;
  external_customer_id: string;
  lago_customer_id: string;
  code: string;
  name: string | null;
  currency: string;
  status: 'active' | 'terminated';
  /** Decimal strings scaled by 10^5 (Lago floors credits to 5 places). */
  rate5: bigint;
  credits5: bigint;
  consumed5: bigint;
  created_at: string;
}

interface WalletTransaction {
  lago_id: string;
  lago_wallet_id: string;
  lago_invoice_id: string | null;
  lago_credit_note_id: string | null;
  status: 'pending' | 'settled' | 'failed';
  transaction_status: 'purchased' | 'granted' | 'voided' | 'invoiced';
  transaction_type: 'inbound' | 'outbound';
  credits5: bigint;
  name: string | null;
  metadata: { key: string; value: string }[];
  created_at: string;
  settled_at: string | null;
  failed_at: string | null;
}

interface Invoice {
  lago_id: string;
  number: string;
  invoice_type: 'credit';
  status: 'finalized' | 'voided';
  payment_status: 'pending' | 'succeeded' | 'failed';
  currency: string;
  total_amount_cents: number;
  total_paid_amount_cents: number;
  external_customer_id: string;
  lago_customer_id: string;
  wallet_transaction_id: string;
  fee_id: string;
  metadata: { lago_id: string; key: string; value: string }[];
  created_at: string;
  updated_at: string;
}

interface StoredEvent {
  lago_id: string;
  transaction_id: string;
  external_subscription_id: string;
  lago_subscription_id: string | null;
  code: string;
  timestamp: string;
  properties: Json;
  precise_total_amount_cents: string | null;
  created_at: string;
}

class LagoHttpError {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {}
}

const notFound = (resource: string) =>
  new LagoHttpError(404, { status: 404, error: 'Not Found', code: `${resource}_not_found` });
const unprocessable = (details: Json) =>
  new LagoHttpError(422, {
    status: 422,
    error: 'Unprocessable Entity',
    code: 'validation_errors',
    error_details: details,
  });
const badRequest = (message: string) =>
  new LagoHttpError(400, { status: 400, error: `BadRequest: ${message}` });
const forbidden = (code: string) => new LagoHttpError(403, { status: 403, error: 'Forbidden', code });
const notAllowed = (code: string) =>
  new LagoHttpError(405, { status: 405, error: 'Method Not Allowed', code });

const now = () => new Date().toISOString();
const DECIMAL = /^\d+(\.\d+)?$/;

/** "12.345678" → 1234567n (10^5 scale, floored like Lago). */
export function toScaled5(value: string): bigint {
  const [int, frac = ''] = value.split('.');
  return BigInt(int!) * 100000n + BigInt((frac + '00000').slice(0, 5));
}

export function fromScaled5(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % 100000n).toString().padStart(5, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 100000n}${frac ? `.${frac}` : ''}`;
}

export class LagoDouble {
  readonly apiKey: string;
  premium: boolean;
  down = false;
  creditInvoiceDelayMs: number | 'manual';
  webhookSignature: 'hmac' | 'jwt';
  readonly hmacKey: string;
  private rsaKeys: ReturnType<typeof generateKeyPairSync> | undefined;
  /** Generated on first use (JWT signing or the public key endpoint). */
  get rsa() {
    this.rsaKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return this.rsaKeys;
  }
  url = '';
  apiUrl: string | undefined;
  failures: FailureInjection = { rate: 0 };
  readonly specViolations: string[] = [];
  /** Every API call received: method, path, status (or 'reset'/'timeout'), and whether the effect happened. */
  readonly calls: { method: string; path: string; outcome: number | 'reset' | 'timeout'; effect: boolean }[] =
    [];
  readonly webhookDeliveries: { url: string; status: number | 'error'; uniqueKey: string; type: string }[] =
    [];

  private readonly spec: LagoSpec = loadLagoSpec();
  private readonly random: () => number;
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;

  readonly customers = new Map<string, Customer>();
  readonly billableMetrics = new Map<string, Json>();
  readonly plans = new Map<string, Json>();
  readonly subscriptions = new Map<string, Json>();
  readonly wallets = new Map<string, Wallet>();
  readonly walletTransactions = new Map<string, WalletTransaction>();
  readonly invoices = new Map<string, Invoice>();
  readonly payments: Json[] = [];
  readonly creditNotes: Json[] = [];
  /** Keyed by `${external_subscription_id}\u0000${transaction_id}` (Postgres event store). */
  readonly events = new Map<string, StoredEvent>();
  readonly webhookEndpoints: { lago_id: string; webhook_url: string; signature_algo: 'hmac' | 'jwt' }[] = [];

  constructor(opts: LagoDoubleOptions = {}) {
    this.apiKey = opts.apiKey ?? 'lago-test-api-key';
    this.premium = opts.premium ?? false;
    this.creditInvoiceDelayMs = opts.creditInvoiceDelayMs ?? 20;
    this.webhookSignature = opts.webhookSignature ?? 'hmac';
    this.hmacKey = opts.hmacKey ?? randomUUID();
    this.apiUrl = opts.apiUrl;
    this.random = opts.random ?? Math.random;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<string> {
    this.spec.warm(SUPPORTED_OPERATIONS);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.apiUrl ??= this.url;
    return this.url;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Base64-encoded PEM, as `GET /webhooks/json_public_key` returns it. */
  get publicKeyBase64(): string {
    return Buffer.from(this.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string).toString(
      'base64',
    );
  }

  // ---------------------------------------------------------------- inspection helpers

  listEvents(): StoredEvent[] {
    return [...this.events.values()];
  }
  listWallets(externalCustomerId?: string): Json[] {
    return [...this.wallets.values()]
      .filter((w) => !externalCustomerId || w.external_customer_id === externalCustomerId)
      .map((w) => this.walletJson(w));
  }
  listWalletTransactions(walletId?: string): Json[] {
    return [...this.walletTransactions.values()]
      .filter((t) => !walletId || t.lago_wallet_id === walletId)
      .map((t) => this.transactionJson(t));
  }
  listInvoices(): Invoice[] {
    return [...this.invoices.values()];
  }

  /** Issues every pending credit invoice now (for creditInvoiceDelayMs: 'manual'). */
  tick(): void {
    for (const t of this.walletTransactions.values()) {
      if (t.transaction_status === 'purchased' && t.status === 'pending' && !t.lago_invoice_id)
        this.issueCreditInvoice(t);
    }
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const method = (req.method ?? 'GET').toUpperCase();
    const record = (outcome: number | 'reset' | 'timeout', effect: boolean) =>
      this.calls.push({ method, path: url.pathname, outcome, effect });

    if (this.down) {
      record('reset', false);
      req.socket.destroy();
      return;
    }
    if (!url.pathname.startsWith('/api/v1/')) {
      res.writeHead(404).end();
      return;
    }
    const pathname = url.pathname.slice('/api/v1'.length);

    // Failure injection: decide up front; an after-effect failure runs the handler first.
    let failure: 'before' | 'after' | undefined;
    let kind: 500 | 502 | 'reset' | 'timeout' = 500;
    if (this.failures.rate > 0 && this.random() < this.failures.rate) {
      const write = method !== 'GET';
      failure = write && this.random() < (this.failures.afterEffectShare ?? 0.5) ? 'after' : 'before';
      kind = ([500, 502, 'reset', 'timeout'] as const)[Math.floor(this.random() * 4)]!;
    }
    const fail = (effect: boolean) => {
      record(kind, effect);
      if (kind === 'reset') req.socket.destroy();
      else if (kind === 'timeout') {
        const t = setTimeout(() => {
          this.timers.delete(t);
          req.socket.destroy();
        }, this.failures.hangMs ?? 2000);
        this.timers.add(t);
      } else {
        res.writeHead(kind, { 'content-type': 'text/html' }).end(`<h1>${kind}</h1>`);
      }
    };
    if (failure === 'before') return fail(false);

    let status = 200;
    let body: Json;
    let effect = false;
    const found = this.spec.find(method, pathname);
    try {
      if (req.headers.authorization !== `Bearer ${this.apiKey}`)
        throw new LagoHttpError(401, { status: 401, error: 'Unauthorized' });
      if (!found) throw notFound('route');
      let input: Json = {};
      if (raw) {
        try {
          input = JSON.parse(raw);
        } catch {
          throw badRequest('invalid JSON');
        }
      }
      if (found.op.validateRequest) {
        const rootKey = rootKeyOf(this.spec, found.op.validateRequest.schema);
        if (rootKey && (input == null || typeof input !== 'object' || input[rootKey] == null))
          throw badRequest(`param is missing or the value is empty: ${rootKey}`);
        if (!found.op.validateRequest(input)) {
          throw unprocessable(ajvDetails(found.op.validateRequest.errors));
        }
      }
      body = this.route(found.op.operationId, found.params, url.searchParams, input);
      effect = method !== 'GET';
    } catch (err) {
      if (err instanceof LagoHttpError) {
        status = err.status;
        body = err.body;
      } else {
        status = 500;
        body = { status: 500, error: `Internal Server Error: ${(err as Error).message}` };
      }
    }
    if (failure === 'after') return fail(effect);

    if (found && body !== undefined) {
      const resp = found.op.responseFor(status);
      if (resp) {
        if (status === 200) body = this.spec.conform(resp.schema, body);
        if (!resp.validate(body)) {
          const msg = `${found.op.operationId} ${status}: ${this.spec.describeErrors(resp.validate.errors)}`;
          this.specViolations.push(msg);
          status = 500;
          body = { status: 500, error: 'Internal Server Error', spec_violation: msg };
        }
      }
    }
    record(status, effect && status === 200);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  private route(op: string, params: Record<string, string>, q: URLSearchParams, input: Json): Json {
    switch (op) {
      case 'createCustomer':
        return { customer: this.customerJson(this.upsertCustomer(input.customer)) };
      case 'findCustomer':
        return { customer: this.customerJson(this.customer(params.external_customer_id!)) };
      case 'createBillableMetric':
        return { billable_metric: this.createBillableMetric(input.billable_metric) };
      case 'findBillableMetric': {
        const m = this.billableMetrics.get(params.code!);
        if (!m) throw notFound('billable_metric');
        return { billable_metric: m };
      }
      case 'createPlan':
        return { plan: this.createPlan(input.plan) };
      case 'findPlan': {
        const p = this.plans.get(params.code!);
        if (!p) throw notFound('plan');
        return { plan: p };
      }
      case 'createSubscription':
        return { subscription: this.createSubscription(input.subscription) };
      case 'createWallet':
        return { wallet: this.walletJson(this.createWallet(input.wallet)) };
      case 'findWallet':
        return { wallet: this.walletJson(this.wallet(params.lago_id!)) };
      case 'findAllWallets': {
        const ext = q.get('external_customer_id');
        if (!ext) throw unprocessable({ external_customer_id: ['value_is_mandatory'] });
        this.customer(ext);
        return paginate(this.listWallets(ext), q, 'wallets');
      }
      case 'createWalletTransaction':
        return { wallet_transactions: this.createWalletTransactions(input.wallet_transaction) };
      case 'findWalletTransaction': {
        const t = this.walletTransactions.get(params.lago_id!);
        if (!t) throw notFound('wallet_transaction');
        // The spec (1.51) documents this response without a root key.
        return this.transactionJson(t);
      }
      case 'findAllWalletTransactions': {
        this.wallet(params.lago_id!);
        const list = this.listWalletTransactions(params.lago_id).filter(
          (t) =>
            (!q.get('status') || t.status === q.get('status')) &&
            (!q.get('transaction_status') || t.transaction_status === q.get('transaction_status')) &&
            (!q.get('transaction_type') || t.transaction_type === q.get('transaction_type')),
        );
        return paginate(list, q, 'wallet_transactions');
      }
      case 'createEvent': {
        const e = this.insertEvents([input.event], false)[0]!;
        return { event: { ...this.eventJson(e), lago_customer_id: null } };
      }
      case 'createBatchEvents': {
        const stored = this.insertEvents(input.events, true);
        return { events: stored.map((e) => ({ ...this.eventJson(e), lago_customer_id: null })) };
      }
      case 'findEvent': {
        const e = [...this.events.values()].find((x) => x.transaction_id === params.transaction_id);
        if (!e) throw notFound('event');
        return { event: this.eventJson(e) };
      }
      case 'findAllInvoices': {
        const ext = q.get('external_customer_id');
        const type = q.get('invoice_type');
        const list = [...this.invoices.values()]
          .filter((i) => (!ext || i.external_customer_id === ext) && (!type || i.invoice_type === type))
          .map((i) => this.invoiceJson(i));
        return paginate(list, q, 'invoices');
      }
      case 'findInvoice':
        return { invoice: this.invoiceJson(this.invoice(params.lago_id!)) };
      case 'updateInvoice':
        return { invoice: this.invoiceJson(this.updateInvoice(params.lago_id!, input.invoice)) };
      case 'createPayment':
        if (!this.premium) throw forbidden('feature_unavailable');
        return { payment: this.createPayment(input.payment) };
      case 'findAllPayments': {
        const inv = q.get('invoice_id');
        const ext = q.get('external_customer_id');
        const list = this.payments.filter(
          (p) => (!inv || p.invoice_ids.includes(inv)) && (!ext || p.external_customer_id === ext),
        );
        return paginate(list, q, 'payments');
      }
      case 'createCreditNote':
        if (!this.premium) throw forbidden('feature_unavailable');
        return { credit_note: this.createCreditNote(input.credit_note) };
      case 'findAllCreditNotes': {
        const ext = q.get('external_customer_id');
        const list = this.creditNotes.filter((c) => !ext || c.external_customer_id === ext);
        return paginate(
          list.map(({ external_customer_id: _e, ...c }) => c),
          q,
          'credit_notes',
        );
      }
      case 'createWebhookEndpoint': {
        const w = input.webhook_endpoint;
        if (this.webhookEndpoints.length >= 10)
          throw unprocessable({ base: ['webhook_endpoints_limit_reached'] });
        const endpoint = {
          lago_id: randomUUID(),
          webhook_url: w.webhook_url,
          signature_algo: (w.signature_algo ?? 'jwt') as 'hmac' | 'jwt',
        };
        this.webhookEndpoints.push(endpoint);
        return { webhook_endpoint: { ...endpoint, lago_organization_id: randomUUID(), created_at: now() } };
      }
      case 'fetchJsonPublicKey':
        return { webhook: { public_key: this.publicKeyBase64 } };
      default:
        throw notAllowed('operation_not_supported_by_double');
    }
  }

  // ---------------------------------------------------------------- domain

  private customer(externalId: string): Customer {
    const c = this.customers.get(externalId);
    if (!c) throw notFound('customer');
    return c;
  }

  private upsertCustomer(input: Json): Customer {
    const existing = this.customers.get(input.external_id);
    if (existing) {
      if (
        input.currency &&
        existing.currency &&
        input.currency !== existing.currency &&
        this.hasCurrencyLock(existing)
      )
        throw unprocessable({ currency: ['currencies_does_not_match'] });
      for (const k of ['name', 'email', 'currency', 'metadata'] as const)
        if (k in input) (existing as Json)[k] = input[k];
      return existing;
    }
    const c: Customer = {
      lago_id: randomUUID(),
      external_id: input.external_id,
      name: input.name ?? null,
      email: input.email ?? null,
      currency: input.currency ?? null,
      metadata: input.metadata ?? [],
      created_at: now(),
      sequential_id: ++this.seq,
    };
    this.customers.set(c.external_id, c);
    return c;
  }

  private hasCurrencyLock(c: Customer): boolean {
    return (
      [...this.subscriptions.values()].some((s) => s.external_customer_id === c.external_id) ||
      [...this.wallets.values()].some((w) => w.external_customer_id === c.external_id)
    );
  }

  /** One currency per customer: the first subscription or wallet fixes it. */
  private lockCurrency(c: Customer, currency: string): void {
    if (c.currency && c.currency !== currency && this.hasCurrencyLock(c))
      throw unprocessable({ currency: ['currencies_does_not_match'] });
    c.currency = currency;
  }

  private createBillableMetric(input: Json): Json {
    if (this.billableMetrics.has(input.code)) throw unprocessable({ code: ['value_already_exist'] });
    const m = {
      lago_id: randomUUID(),
      name: input.name,
      code: input.code,
      aggregation_type: input.aggregation_type,
      field_name: input.field_name ?? null,
      recurring: input.recurring ?? false,
      filters: input.filters ?? [],
      created_at: now(),
    };
    this.billableMetrics.set(m.code, m);
    return m;
  }

  private createPlan(input: Json): Json {
    if (this.plans.has(input.code)) throw unprocessable({ code: ['value_already_exist'] });
    const charges = (input.charges ?? []).map((c: Json) => {
      const metric = [...this.billableMetrics.values()].find((m) => m.lago_id === c.billable_metric_id);
      if (!metric) throw notFound('billable_metric');
      if (c.charge_model === 'dynamic' && metric.aggregation_type !== 'sum_agg')
        throw unprocessable({ charge_model: ['invalid_aggregation_type_or_charge_model'] });
      return {
        lago_id: randomUUID(),
        lago_billable_metric_id: metric.lago_id,
        billable_metric_code: metric.code,
        charge_model: c.charge_model,
        invoiceable: true,
        pay_in_advance: false,
        prorated: false,
        min_amount_cents: 0,
        properties: c.properties ?? {},
        created_at: now(),
      };
    });
    const p = {
      lago_id: randomUUID(),
      name: input.name,
      code: input.code,
      interval: input.interval,
      amount_cents: input.amount_cents,
      amount_currency: input.amount_currency,
      pay_in_advance: input.pay_in_advance ?? false,
      charges,
      created_at: now(),
    };
    this.plans.set(p.code, p);
    return p;
  }

  private createSubscription(input: Json): Json {
    const plan = this.plans.get(input.plan_code);
    if (!plan) throw notFound('plan');
    const existing = input.external_id && this.subscriptions.get(input.external_id);
    if (existing) {
      if (existing.plan_code === input.plan_code) return existing;
      throw unprocessable({ external_id: ['value_already_exist'] });
    }
    // Lago creates the customer on the fly when it does not exist yet.
    const c =
      this.customers.get(input.external_customer_id) ??
      this.upsertCustomer({ external_id: input.external_customer_id });
    this.lockCurrency(c, plan.amount_currency);
    const s = {
      lago_id: randomUUID(),
      external_id: input.external_id ?? randomUUID(),
      lago_customer_id: c.lago_id,
      external_customer_id: c.external_id,
      billing_time: input.billing_time ?? 'calendar',
      name: input.name ?? null,
      plan_code: plan.code,
      status: 'active',
      created_at: now(),
      started_at: now(),
      subscription_at: now(),
      on_termination_invoice: 'generate',
    };
    this.subscriptions.set(s.external_id, s);
    return s;
  }

  private wallet(lagoId: string): Wallet {
    const w = this.wallets.get(lagoId);
    if (!w) throw notFound('wallet');
    return w;
  }

  private createWallet(input: Json): Wallet {
    if (!input.external_customer_id) throw unprocessable({ customer: ['customer_not_found'] });
    const c = this.customer(input.external_customer_id);
    const active = [...this.wallets.values()].filter(
      (w) => w.external_customer_id === c.external_id && w.status === 'active',
    );
    const code = input.code ?? 'default';
    if (active.some((w) => w.code === code)) throw unprocessable({ code: ['value_already_exist'] });
    if (active.length >= 6) throw unprocessable({ customer: ['wallet_limit_reached'] });
    if (!input.currency) throw unprocessable({ currency: ['value_is_mandatory'] });
    if (!input.rate_amount || !DECIMAL.test(String(input.rate_amount)))
      throw unprocessable({ rate_amount: ['invalid_value'] });
    this.lockCurrency(c, input.currency);
    const w: Wallet = {
      lago_id: randomUUID(),
      external_customer_id: c.external_id,
      lago_customer_id: c.lago_id,
      code,
      name: input.name ?? null,
      currency: input.currency,
      status: 'active',
      rate5: toScaled5(String(input.rate_amount)),
      credits5: 0n,
      consumed5: 0n,
      created_at: now(),
    };
    this.wallets.set(w.lago_id, w);
    const initial: Json = { wallet_id: w.lago_id };
    if (input.paid_credits) initial.paid_credits = input.paid_credits;
    if (input.granted_credits) initial.granted_credits = input.granted_credits;
    if (initial.paid_credits || initial.granted_credits) this.createWalletTransactions(initial);
    return w;
  }

  private createWalletTransactions(input: Json): Json[] {
    const w = this.wallet(input.wallet_id);
    if (w.status !== 'active') throw unprocessable({ wallet_id: ['wallet_not_active'] });
    const metadata = input.metadata ?? [];
    if (metadata.length > 15) throw unprocessable({ metadata: ['too_many_keys'] });
    const voided = input.voided_credits ? toScaled5(input.voided_credits) : 0n;
    if (voided > w.credits5) throw unprocessable({ voided_credits: ['insufficient_credits'] });
    const created: WalletTransaction[] = [];
    const make = (status: WalletTransaction['transaction_status'], credits5: bigint): WalletTransaction => {
      const t: WalletTransaction = {
        lago_id: randomUUID(),
        lago_wallet_id: w.lago_id,
        lago_invoice_id: null,
        lago_credit_note_id: null,
        status: 'pending',
        transaction_status: status,
        transaction_type: status === 'voided' || status === 'invoiced' ? 'outbound' : 'inbound',
        credits5,
        name: input.name ?? null,
        metadata,
        created_at: now(),
        settled_at: null,
        failed_at: null,
      };
      this.walletTransactions.set(t.lago_id, t);
      created.push(t);
      return t;
    };
    if (input.paid_credits && toScaled5(input.paid_credits) > 0n) {
      const t = make('purchased', toScaled5(input.paid_credits));
      if (this.creditInvoiceDelayMs !== 'manual') {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!t.lago_invoice_id) this.issueCreditInvoice(t);
        }, this.creditInvoiceDelayMs);
        this.timers.add(timer);
      }
    }
    if (input.granted_credits && toScaled5(input.granted_credits) > 0n) {
      const t = make('granted', toScaled5(input.granted_credits));
      this.settle(t);
    }
    if (voided > 0n) {
      const t = make('voided', voided);
      this.settle(t);
    }
    for (const t of created)
      this.emit('wallet_transaction.created', 'wallet_transaction', this.transactionJson(t));
    return created.map((t) => this.transactionJson(t));
  }

  private settle(t: WalletTransaction): void {
    const w = this.wallet(t.lago_wallet_id);
    t.status = 'settled';
    t.settled_at = now();
    if (t.transaction_type === 'inbound') w.credits5 += t.credits5;
    else {
      w.credits5 -= t.credits5;
      if (t.transaction_status === 'invoiced') w.consumed5 += t.credits5;
    }
  }

  private centsOf(w: Wallet, credits5: bigint): number {
    // credits × rate × 100 (both scaled by 10^5).
    return Number((credits5 * w.rate5 * 100n) / 10_000_000_000n);
  }

  private issueCreditInvoice(t: WalletTransaction): void {
    const w = this.wallet(t.lago_wallet_id);
    const c = this.customer(w.external_customer_id);
    const inv: Invoice = {
      lago_id: randomUUID(),
      number: `TGL-${String(++this.seq).padStart(6, '0')}`,
      invoice_type: 'credit',
      status: 'finalized',
      payment_status: 'pending',
      currency: w.currency,
      total_amount_cents: this.centsOf(w, t.credits5),
      total_paid_amount_cents: 0,
      external_customer_id: c.external_id,
      lago_customer_id: c.lago_id,
      wallet_transaction_id: t.lago_id,
      fee_id: randomUUID(),
      metadata: [],
      created_at: now(),
      updated_at: now(),
    };
    this.invoices.set(inv.lago_id, inv);
    t.lago_invoice_id = inv.lago_id;
    this.emit('invoice.created', 'invoice', this.invoiceJson(inv));
    this.emit('invoice.paid_credit_added', 'invoice', this.invoiceJson(inv));
    this.emit('wallet_transaction.updated', 'wallet_transaction', this.transactionJson(t));
  }

  private invoice(lagoId: string): Invoice {
    const i = this.invoices.get(lagoId);
    if (!i) throw notFound('invoice');
    return i;
  }

  private updateInvoice(lagoId: string, input: Json): Invoice {
    const inv = this.invoice(lagoId);
    if (inv.status === 'voided') throw notAllowed('not_allowed');
    if (input.metadata) {
      for (const m of input.metadata) {
        const found = inv.metadata.find((x) => x.key === m.key);
        if (found) found.value = m.value;
        else inv.metadata.push({ lago_id: randomUUID(), key: m.key, value: m.value });
      }
    }
    if (input.payment_status && input.payment_status !== inv.payment_status) {
      this.setPaymentStatus(inv, input.payment_status);
    }
    inv.updated_at = now();
    return inv;
  }

  private setPaymentStatus(inv: Invoice, status: Invoice['payment_status']): void {
    inv.payment_status = status;
    const t = this.walletTransactions.get(inv.wallet_transaction_id);
    if (t && t.status === 'pending') {
      if (status === 'succeeded') this.settle(t);
      if (status === 'failed') {
        t.status = 'failed';
        t.failed_at = now();
        this.emit('wallet_transaction.payment_failure', 'wallet_transaction', this.transactionJson(t));
      }
      if (status !== 'pending')
        this.emit('wallet_transaction.updated', 'wallet_transaction', this.transactionJson(t));
    }
    this.emit('invoice.payment_status_updated', 'invoice', this.invoiceJson(inv));
  }

  private createPayment(input: Json): Json {
    const inv = this.invoice(input.invoice_id);
    if (inv.status !== 'finalized') throw unprocessable({ invoice_id: ['invalid_status'] });
    if (!Number.isInteger(input.amount_cents) || input.amount_cents <= 0)
      throw unprocessable({ amount_cents: ['invalid_value'] });
    if (inv.total_paid_amount_cents + input.amount_cents > inv.total_amount_cents)
      throw unprocessable({ amount_cents: ['invalid_amount'] });
    inv.total_paid_amount_cents += input.amount_cents;
    const p = {
      lago_id: randomUUID(),
      lago_customer_id: inv.lago_customer_id,
      external_customer_id: inv.external_customer_id,
      invoice_ids: [inv.lago_id],
      lago_payable_id: inv.lago_id,
      payable_type: 'Invoice',
      amount_cents: input.amount_cents,
      amount_currency: inv.currency,
      status: 'succeeded',
      payment_status: 'succeeded',
      type: 'manual',
      reference: input.reference,
      external_payment_id: null,
      provider_payment_id: null,
      created_at: input.paid_at ? new Date(input.paid_at).toISOString() : now(),
    };
    this.payments.push(p);
    if (inv.total_paid_amount_cents === inv.total_amount_cents && inv.payment_status !== 'succeeded')
      this.setPaymentStatus(inv, 'succeeded');
    return p;
  }

  private createCreditNote(input: Json): Json {
    const inv = this.invoice(input.invoice_id);
    const items: Json[] = input.items ?? [];
    if (items.length === 0) throw unprocessable({ items: ['must_be_an_array'] });
    for (const i of items) if (i.fee_id !== inv.fee_id) throw notFound('fee');
    const itemsTotal = items.reduce((s, i) => s + Number(i.amount_cents), 0);
    const refund = input.refund_amount_cents ?? 0;
    const credit = input.credit_amount_cents ?? 0;
    const offset = input.offset_amount_cents ?? 0;
    if (Math.abs(refund + credit + offset - itemsTotal) > 1)
      throw unprocessable({ base: ['invalid_amounts'] });
    const creditedSoFar = this.creditNotes
      .filter((c) => c.lago_invoice_id === inv.lago_id)
      .reduce((s, c) => s + c.total_amount_cents, 0);
    if (creditedSoFar + itemsTotal > inv.total_amount_cents)
      throw unprocessable({ base: ['higher_than_remaining_invoice_amount'] });
    if (refund > 0 && refund > inv.total_paid_amount_cents)
      throw unprocessable({ refund_amount_cents: ['higher_than_remaining_invoice_amount'] });
    const cn: Json = {
      lago_id: randomUUID(),
      billing_entity_code: 'default',
      sequential_id: ++this.seq,
      number: `TGL-CN-${this.seq}`,
      lago_invoice_id: inv.lago_id,
      invoice_number: inv.number,
      issuing_date: now().slice(0, 10),
      reason: input.reason ?? 'other',
      description: input.description ?? null,
      currency: inv.currency,
      total_amount_cents: itemsTotal,
      taxes_amount_cents: 0,
      taxes_rate: 0,
      sub_total_excluding_taxes_amount_cents: itemsTotal,
      balance_amount_cents: credit,
      credit_amount_cents: credit,
      refund_amount_cents: refund,
      offset_amount_cents: offset,
      coupons_adjustment_amount_cents: 0,
      metadata: input.metadata ?? null,
      created_at: now(),
      updated_at: now(),
      external_customer_id: inv.external_customer_id,
    };
    // On a credit invoice a refund voids the matching wallet credits.
    const t = this.walletTransactions.get(inv.wallet_transaction_id);
    if (t && refund > 0) {
      const w = this.wallet(t.lago_wallet_id);
      const credits5 = (BigInt(refund) * 10_000_000_000n) / (w.rate5 * 100n);
      if (credits5 > w.credits5) throw unprocessable({ voided_credits: ['insufficient_credits'] });
      const v: WalletTransaction = {
        ...t,
        lago_id: randomUUID(),
        lago_invoice_id: null,
        lago_credit_note_id: cn.lago_id,
        transaction_status: 'voided',
        transaction_type: 'outbound',
        credits5,
        metadata: [],
        created_at: now(),
        settled_at: null,
        failed_at: null,
        status: 'pending',
      };
      this.walletTransactions.set(v.lago_id, v);
      this.settle(v);
    }
    this.creditNotes.push(cn);
    this.emit('credit_note.created', 'credit_note', cn);
    return Object.fromEntries(Object.entries(cn).filter(([k]) => k !== 'external_customer_id'));
  }

  private insertEvents(inputs: Json[], batch: boolean): StoredEvent[] {
    if (batch) {
      if (inputs.length === 0) throw unprocessable({ events: ['no_events'] });
      if (inputs.length > 100) throw unprocessable({ events: ['too_many_events'] });
    }
    const errors: Record<string, Json> = {};
    const seen = new Set<string>();
    inputs.forEach((e, i) => {
      const details: Record<string, string[]> = {};
      if (!e.transaction_id) details.transaction_id = ['value_is_mandatory'];
      if (!e.code) details.code = ['value_is_mandatory'];
      const key = `${e.external_subscription_id}\u0000${e.transaction_id}`;
      if (this.events.has(key) || seen.has(key)) details.transaction_id = ['value_already_exist'];
      seen.add(key);
      if (Object.keys(details).length) errors[String(i)] = details;
    });
    if (Object.keys(errors).length) throw unprocessable(batch ? errors : errors['0']);
    return inputs.map((e) => {
      const sub = this.subscriptions.get(e.external_subscription_id);
      const ts =
        e.timestamp === undefined || e.timestamp === null
          ? now()
          : new Date(Number(e.timestamp) * 1000).toISOString();
      const stored: StoredEvent = {
        lago_id: randomUUID(),
        transaction_id: e.transaction_id,
        external_subscription_id: e.external_subscription_id,
        lago_subscription_id: sub?.lago_id ?? null,
        code: e.code,
        timestamp: ts,
        properties: e.properties ?? {},
        precise_total_amount_cents: e.precise_total_amount_cents ?? null,
        created_at: now(),
      };
      this.events.set(`${e.external_subscription_id}\u0000${e.transaction_id}`, stored);
      return stored;
    });
  }

  // ---------------------------------------------------------------- JSON views

  private customerJson(c: Customer): Json {
    return {
      lago_id: c.lago_id,
      sequential_id: c.sequential_id,
      slug: `TGL-${c.sequential_id}`,
      external_id: c.external_id,
      applicable_timezone: 'UTC',
      name: c.name,
      email: c.email,
      currency: c.currency,
      created_at: c.created_at,
    };
  }

  private walletJson(w: Wallet): Json {
    const cents = this.centsOf(w, w.credits5);
    return {
      lago_id: w.lago_id,
      lago_customer_id: w.lago_customer_id,
      external_customer_id: w.external_customer_id,
      code: w.code,
      name: w.name,
      status: w.status,
      currency: w.currency,
      rate_amount: fromScaled5(w.rate5),
      credits_balance: fromScaled5(w.credits5),
      balance_cents: cents,
      consumed_credits: fromScaled5(w.consumed5),
      created_at: w.created_at,
      invoice_requires_successful_payment: false,
      ongoing_balance_cents: cents,
      ongoing_usage_balance_cents: 0,
      credits_ongoing_balance: fromScaled5(w.credits5),
      credits_ongoing_usage_balance: '0',
    };
  }

  private transactionJson(t: WalletTransaction): Json {
    const w = this.wallets.get(t.lago_wallet_id)!;
    return {
      lago_id: t.lago_id,
      lago_wallet_id: t.lago_wallet_id,
      lago_invoice_id: t.lago_invoice_id,
      lago_credit_note_id: t.lago_credit_note_id,
      lago_voided_invoice_id: null,
      status: t.status,
      source: 'manual',
      transaction_status: t.transaction_status,
      transaction_type: t.transaction_type,
      amount: fromScaled5((t.credits5 * w.rate5) / 100000n),
      credit_amount: fromScaled5(t.credits5),
      remaining_amount_cents: null,
      remaining_credit_amount: null,
      priority: 50,
      invoice_requires_successful_payment: false,
      settled_at: t.settled_at,
      failed_at: t.failed_at,
      created_at: t.created_at,
      metadata: t.metadata,
      name: t.name,
    };
  }

  private invoiceJson(i: Invoice): Json {
    return {
      lago_id: i.lago_id,
      billing_entity_code: 'default',
      number: i.number,
      issuing_date: i.created_at.slice(0, 10),
      invoice_type: i.invoice_type,
      status: i.status,
      payment_status: i.payment_status,
      currency: i.currency,
      fees_amount_cents: i.total_amount_cents,
      coupons_amount_cents: 0,
      credit_notes_amount_cents: 0,
      sub_total_excluding_taxes_amount_cents: i.total_amount_cents,
      taxes_amount_cents: 0,
      sub_total_including_taxes_amount_cents: i.total_amount_cents,
      prepaid_credit_amount_cents: 0,
      progressive_billing_credit_amount_cents: 0,
      total_amount_cents: i.total_amount_cents,
      total_paid_amount_cents: i.total_paid_amount_cents,
      version_number: 4,
      created_at: i.created_at,
      updated_at: i.updated_at,
      customer: { lago_id: i.lago_customer_id, external_id: i.external_customer_id },
      metadata: i.metadata,
      fees: [
        {
          lago_id: i.fee_id,
          amount_cents: i.total_amount_cents,
          amount_currency: i.currency,
          taxes_amount_cents: 0,
          taxes_rate: 0,
          units: '1',
          precise_unit_amount: String(i.total_amount_cents / 100),
          total_aggregated_units: '1',
          total_amount_cents: i.total_amount_cents,
          total_amount_currency: i.currency,
          pay_in_advance: false,
          invoiceable: true,
          payment_status: i.payment_status,
          sub_total_excluding_taxes_amount_cents: i.total_amount_cents,
          sub_total_excluding_taxes_precise_amount_cents: String(i.total_amount_cents),
          item: {
            type: 'credit',
            code: 'credit',
            name: 'Credit',
            lago_item_id: i.wallet_transaction_id,
            item_type: 'WalletTransaction',
          },
        },
      ],
    };
  }

  private eventJson(e: StoredEvent): Json {
    return {
      lago_id: e.lago_id,
      transaction_id: e.transaction_id,
      lago_customer_id: null,
      code: e.code,
      timestamp: e.timestamp,
      precise_total_amount_cents: e.precise_total_amount_cents,
      properties: e.properties,
      lago_subscription_id: e.lago_subscription_id,
      external_subscription_id: e.external_subscription_id,
      created_at: e.created_at,
    };
  }

  // ---------------------------------------------------------------- outgoing webhooks

  /** Signs a body as Lago does for the given algorithm. */
  signWebhook(raw: string, algo: 'hmac' | 'jwt' = this.webhookSignature): string {
    if (algo === 'hmac') return createHmac('sha256', this.hmacKey).update(raw).digest('base64');
    const b64 = (o: Json) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ data: raw, iss: this.apiUrl })}`;
    return `${input}.${rsaSign('sha256', Buffer.from(input), this.rsa.privateKey).toString('base64url')}`;
  }

  /** Builds the body and headers of one webhook, exactly as it would be sent. */
  buildWebhook(
    webhookType: string,
    objectType: string,
    object: Json,
    algo: 'hmac' | 'jwt' = this.webhookSignature,
  ): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({
      webhook_type: webhookType,
      object_type: objectType,
      organization_id: '11111111-2222-4333-8444-555555555555',
      [objectType]: object,
    });
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-lago-signature': this.signWebhook(body, algo),
        'x-lago-signature-algorithm': algo,
        'x-lago-unique-key': randomUUID(),
      },
    };
  }

  private emit(webhookType: string, objectType: string, object: Json): void {
    for (const endpoint of this.webhookEndpoints) {
      const { body, headers } = this.buildWebhook(webhookType, objectType, object, endpoint.signature_algo);
      void this.deliver(endpoint.webhook_url, body, headers, webhookType);
    }
  }

  private async deliver(
    url: string,
    body: string,
    headers: Record<string, string>,
    type: string,
  ): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        this.webhookDeliveries.push({
          url,
          status: res.status,
          uniqueKey: headers['x-lago-unique-key']!,
          type,
        });
        if (res.ok) return;
      } catch {
        this.webhookDeliveries.push({ url, status: 'error', uniqueKey: headers['x-lago-unique-key']!, type });
      }
    }
  }
}

const SUPPORTED_OPERATIONS = [
  'createCustomer',
  'findCustomer',
  'createBillableMetric',
  'findBillableMetric',
  'createPlan',
  'findPlan',
  'createSubscription',
  'createWallet',
  'findWallet',
  'findAllWallets',
  'createWalletTransaction',
  'findWalletTransaction',
  'findAllWalletTransactions',
  'createEvent',
  'createBatchEvents',
  'findEvent',
  'findAllInvoices',
  'findInvoice',
  'updateInvoice',
  'createPayment',
  'findAllPayments',
  'createCreditNote',
  'findAllCreditNotes',
  'createWebhookEndpoint',
  'fetchJsonPublicKey',
] as const;

function paginate(list: Json[], q: URLSearchParams, key: string): Json {
  const perPage = Math.max(1, Math.min(100, Number(q.get('per_page') ?? 20)));
  const page = Math.max(1, Number(q.get('page') ?? 1));
  const totalPages = Math.max(1, Math.ceil(list.length / perPage));
  return {
    [key]: list.slice((page - 1) * perPage, page * perPage),
    meta: {
      current_page: page,
      next_page: page < totalPages ? page + 1 : null,
      prev_page: page > 1 ? page - 1 : null,
      total_pages: totalPages,
      total_count: list.length,
    },
  };
}

function rootKeyOf(spec: LagoSpec, schema: Json): string | undefined {
  let s = schema;
  while (s?.$ref) {
    const ref = String(s.$ref).replace(/^[^#]*#/, '#');
    s = ref
      .split('/')
      .slice(1)
      .reduce((n: Json, p: string) => n?.[p.replaceAll('~1', '/').replaceAll('~0', '~')], spec.doc);
  }
  const keys = Object.keys(s?.properties ?? {});
  return keys.length === 1 ? keys[0] : (s?.required?.[0] as string | undefined);
}

function ajvDetails(errors: Json[] | null | undefined): Json {
  const details: Record<string, string[]> = {};
  for (const e of errors ?? []) {
    const field =
      e.params?.missingProperty ?? (String(e.instancePath).split('/').filter(Boolean).pop() || 'base');
    const list = details[field] ?? [];
    list.push(e.keyword === 'required' ? 'value_is_mandatory' : 'invalid_value');
    details[field] = list;
  }
  return details;
}
