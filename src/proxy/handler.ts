import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRawBody } from '../http/body.ts';
import type { Config } from '../config.ts';
import { sendError, sendJson, toHttpError } from '../http/errors.ts';
import type { Metrics } from '../http/metrics.ts';
import type { RouteHandler } from '../http/router.ts';
import type { AuthFailureLimiter } from '../identity/auth-failure-limiter.ts';
import { extractCredential } from '../identity/authenticate.ts';
import { AppError, ConfigError } from '../lib/errors.ts';
import { nanosToMajorDecimal } from '../ledger/money.ts';
import { logger } from '../lib/logger.ts';
import { currentRequestId, runWithRequestContext } from '../lib/request-context.ts';
import type {
  Admission,
  Admitted,
  Outcome,
  ProxyEndpoint,
  ProxyRequestInfo,
  Settlement,
  Usage,
} from './admission.ts';
import {
  ModelNotFoundError,
  UpstreamAuthError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
  normaliseUpstreamError,
  unknownModelIn,
} from './errors.ts';
import { type ProxyMetrics, createProxyMetrics } from './metrics.ts';
import {
  type ParsedRequest,
  clientResponseHeaders,
  parseProxyBody,
  requestInfo,
  upstreamBody,
} from './request.ts';
import {
  type BodyPolicy,
  bodyPolicy,
  isLiteLLMControlField,
  upstreamHeaders,
  upstreamPath,
} from './forwarding.ts';
import { DONE, type SseEvent, SseParser, countStringChars, findJsonValue, hasUsageObject } from './sse.ts';
import {
  type UpstreamResponse,
  type UpstreamTransport,
  classifyUpstreamError,
  undiciTransport,
  breakerTransport,
} from './upstream.ts';
import { estimateUsage, usageOf } from './usage.ts';

export const METERED_ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/responses',
] as const;

export interface ProxyHandlerDeps {
  config: Config;
  admission: Admission;
  metrics: Metrics;
  /** Counts wrong credentials per source address; absent = unlimited (unit tests). */
  authFailures?: AuthFailureLimiter;
  /** Defaults to an undici Pool to LITELLM_URL. */
  transport?: UpstreamTransport;
  /** When given, the default transport is wrapped in it (src/infra/circuit-breaker.ts). */
  breaker?: Parameters<typeof breakerTransport>[1];
}

export interface ProxyHandler {
  routes: { method: string; pattern: string; handler: RouteHandler }[];
  /** Resolves once every request in flight has been settled or released in the ledger. */
  idle(): Promise<void>;
  /** Waits for `idle`, then closes the upstream pool. */
  close(): Promise<void>;
}

/** How long LiteLLM's model list is trusted when telling an unknown model from an unpriced one. */
const SERVED_MODELS_TTL_MS = 60_000;
/** Upstream error bodies are small; anything beyond this is cut (the status still goes through). */
const ERROR_BODY_MAX = 64 * 1024;
/** A partial SSE event withheld while stripping is written through once it is this large: no usage chunk is. */
const STRIP_HOLD_MAX = 64 * 1024;
/** Window kept from the end of an oversized non-stream body to find `usage` in. */
const TAIL_WINDOW = 16 * 1024;

const CHAT_TEXT_KEYS = ['"content"', '"text"', '"arguments"', '"reasoning_content"'].map((k) =>
  Buffer.from(k),
);
const RESPONSES_TEXT_KEYS = [Buffer.from('"delta"')];
const USAGE_KEY = Buffer.from('"usage"');
const ERROR_PREFIX = Buffer.from('{"error"');
const EMPTY = Buffer.alloc(0);

const isBlank = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The extra chunk `include_usage` adds: OpenAI sends `choices: []`; LiteLLM 1.89 sends one choice
 * with an empty delta and no finish_reason. Either way it carries nothing but usage.
 */
export function isUsageOnlyChunk(obj: any): boolean {
  if (!Array.isArray(obj?.choices)) return false;
  return obj.choices.every(
    (c: any) =>
      isBlank(c?.finish_reason) &&
      isBlank(c?.text) &&
      isBlank(c?.logprobs) &&
      (c?.delta === undefined || c?.delta === null || Object.values(c.delta).every(isBlank)),
  );
}

function settlementHeaders(s: Settlement, estimated: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'x-tollgate-cost': nanosToMajorDecimal(s.costNanos),
    'x-tollgate-cost-nanos': s.costNanos.toString(),
    'x-tollgate-currency': s.currency,
  };
  if (s.balanceNanos !== null) h['x-tollgate-balance'] = nanosToMajorDecimal(s.balanceNanos);
  if (estimated) h['x-tollgate-usage-estimated'] = 'true';
  return h;
}

/** Finds `"usage": {…}` in a JSON fragment (the tail of a large body) and parses that object alone. */
function usageFromFragment(buf: Buffer): Usage | null {
  let at = -1;
  for (let from = 0; ; ) {
    const v = findJsonValue(buf, USAGE_KEY, from);
    if (v === -1) break;
    if (buf[v] === 0x7b) at = v;
    from = v;
  }
  if (at === -1) return null;
  let depth = 0;
  let inString = false;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i]!;
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b) depth++;
    else if (b === 0x7d && --depth === 0) {
      try {
        return usageOf({ usage: JSON.parse(buf.toString('utf8', at, i + 1)) });
      } catch {
        return null;
      }
    }
  }
  return null;
}

function matchesExtraRoute(patterns: string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

/**
 * The OpenAI-compatible pass-through to LiteLLM: authenticate, validate, admit (hold), forward with
 * our credential and the admitted user and model, stream the answer back, then settle the usage
 * upstream reported (or release the hold when upstream failed). Nothing else: pricing, plans and
 * the ledger are behind `Admission`.
 */
export function createProxyHandler(deps: ProxyHandlerDeps): ProxyHandler {
  const { config, admission } = deps;
  const base =
    deps.transport ??
    undiciTransport({
      baseUrl: config.LITELLM_URL ?? 'http://127.0.0.1:4000',
      connections: config.PROXY_POOL_CONNECTIONS,
      connectTimeoutMs: config.PROXY_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: config.PROXY_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: config.PROXY_BODY_TIMEOUT_MS,
    });
  const transport = deps.breaker ? breakerTransport(base, deps.breaker) : base;
  const m = createProxyMetrics(deps.metrics);
  const extraRoutes = config.PROXY_EXTRA_ROUTES;
  const control = config.PROXY_EXTRA_BODY_FIELDS.filter(isLiteLLMControlField);
  if (control.length)
    throw new ConfigError(
      `Invalid configuration:\n  PROXY_EXTRA_BODY_FIELDS: ${control.join(', ')} are LiteLLM control fields and are never forwarded`,
    );
  // What of a body goes upstream: each metered route's allowlist; extra routes have none (forwarding.ts).
  const policies = new Map<string, BodyPolicy>(
    METERED_ENDPOINTS.map((e) => [e, bodyPolicy(e, config.PROXY_EXTRA_BODY_FIELDS)]),
  );
  const extraRoutePolicy = bodyPolicy('extra', config.PROXY_EXTRA_BODY_FIELDS);
  const policyFor = (endpoint: string) => policies.get(endpoint) ?? extraRoutePolicy;

  const authenticate = (req: IncomingMessage) => {
    const credential = extractCredential({
      authorization: req.headers.authorization,
      'x-api-key': req.headers['x-api-key'] as string | undefined,
    });
    const check = () => admission.authenticate(credential);
    const limiter = deps.authFailures;
    return {
      credential,
      principal: limiter ? limiter.guard(limiter.sourceOf(req), credential, check) : check(),
    };
  };

  /**
   * The model names LiteLLM serves (GET /v1/models with our key), cached for a minute, or null when
   * it cannot say (down, error, a wildcard route). Asked only about a model Tollgate has no price
   * for, to tell "LiteLLM does not serve it" (MODEL_NOT_FOUND) from "not priced": a stale list only
   * changes which of the two errors a refused request gets.
   */
  let served: { ids: Set<string> | null; atMs: number } | null = null;
  const servedModels = async (): Promise<Set<string> | null> => {
    if (served && performance.now() - served.atMs < SERVED_MODELS_TTL_MS) return served.ids;
    let ids: Set<string> | null = null;
    try {
      const up = await transport.request({
        method: 'GET',
        path: '/v1/models',
        headers: config.LITELLM_MASTER_KEY ? { authorization: `Bearer ${config.LITELLM_MASTER_KEY}` } : {},
        body: null,
      });
      const raw = await collect(up, 8 * 1024 * 1024);
      const list =
        up.status === 200 ? (JSON.parse(raw.toString('utf8')) as { data?: { id?: unknown }[] }) : null;
      if (Array.isArray(list?.data)) {
        const names = list.data.map((m) => String(m.id));
        ids = names.some((n) => n.includes('*')) ? null : new Set(names);
      }
    } catch {
      ids = null;
    }
    served = { ids, atMs: performance.now() };
    return ids;
  };
  /** MODEL_NOT_PRICED for a model LiteLLM does not serve is OpenAI's unknown-model answer (404, code MODEL_NOT_FOUND). */
  const unservedAsNotFound = async (err: unknown): Promise<unknown> => {
    if (!(err instanceof AppError) || err.code !== 'MODEL_NOT_PRICED') return err;
    const model = String(err.details?.model ?? '');
    const ids = await servedModels();
    return ids && !ids.has(model) ? new ModelNotFoundError(model) : err;
  };

  const reject = (res: ServerResponse, route: string, err: unknown) => {
    const { status, body, headers } = toHttpError(err, currentRequestId() ?? '');
    m.requests.inc({ route, model: '', status: String(status), outcome: 'rejected' });
    sendJson(res, status, body, headers);
  };

  async function inference(
    endpoint: ProxyEndpoint,
    route: string,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const startedMs = performance.now();
    const requestId = currentRequestId() ?? String(res.getHeader('x-request-id') ?? '');
    let admitted: Admitted;
    let parsed: ParsedRequest;
    let info: ProxyRequestInfo;
    try {
      const auth = authenticate(req);
      const credential = auth.credential;
      const principal = await auth.principal;
      const raw = await readRawBody(req, config.PROXY_MAX_BODY_BYTES);
      parsed = parseProxyBody(endpoint, raw, policyFor(endpoint));
      info = requestInfo(endpoint, parsed, {
        requestId,
        requestIdFromClient: req.headers['x-request-id'] === requestId,
        credential,
        defaultMaxTokens: config.PROXY_DEFAULT_MAX_TOKENS,
        fileReferenceTokens: config.PROXY_FILE_REFERENCE_TOKENS,
      });
      admitted = await admission.admit(principal, info);
    } catch (err) {
      reject(res, route, await unservedAsNotFound(err));
      return;
    }
    const exchange = new Exchange(deps, m, transport, {
      endpoint,
      route,
      req,
      res,
      requestId,
      startedMs,
      parsed,
      info,
      admitted,
    });
    const done = exchange.run().then(() => exchange.posted);
    inflight.add(done);
    try {
      await done;
    } finally {
      inflight.delete(done);
    }
  }
  /** Requests not yet settled or released: responses may be out, their ledger postings not yet. */
  const inflight = new Set<Promise<void>>();
  const idle = async () => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  };

  async function models(req: IncomingMessage, res: ServerResponse) {
    const requestId = currentRequestId() ?? '';
    try {
      const principal = await authenticate(req).principal;
      let up: UpstreamResponse;
      try {
        up = await transport.request({
          method: 'GET',
          path: '/v1/models',
          headers: {
            'x-request-id': requestId,
            ...(config.LITELLM_MASTER_KEY ? { authorization: `Bearer ${config.LITELLM_MASTER_KEY}` } : {}),
          },
          body: null,
        });
      } catch (err) {
        throw classifyUpstreamError(err) === 'timeout'
          ? new UpstreamTimeoutError(err)
          : new UpstreamUnreachableError(err);
      }
      const raw = await collect(up, 8 * 1024 * 1024);
      if (up.status === 401) throw new UpstreamAuthError();
      if (up.status >= 400)
        return sendJson(res, up.status, normaliseUpstreamError(up.status, raw, requestId));
      const list = JSON.parse(raw.toString('utf8')) as { data?: { id: string }[] };
      const entries = Array.isArray(list.data) ? list.data : [];
      const allowed = new Set(
        admission.listModels(
          principal,
          entries.map((e) => e.id),
        ),
      );
      sendJson(res, 200, { object: 'list', data: entries.filter((e) => allowed.has(e.id)) });
    } catch (err) {
      reject(res, '/v1/models', err);
    }
  }

  const catchAll: RouteHandler = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    // Upstream is called with Tollgate's credential: a path that could climb out of an allowed prefix
    // (dot segments, encoded dots or slashes, backslashes) must never reach it.
    const safe = !/(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\|\/\//i.test(path);
    if (safe && method === 'POST' && matchesExtraRoute(extraRoutes, path))
      return inference(path, '/v1/*', req, res);
    if ((METERED_ENDPOINTS as readonly string[]).includes(path) || path === '/v1/models') {
      res.setHeader('allow', path === '/v1/models' ? 'GET' : 'POST');
      return reject(
        res,
        '/v1/*',
        new AppError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, { status: 405 }),
      );
    }
    reject(
      res,
      '/v1/*',
      new AppError('UNKNOWN_URL', `Unknown request URL: ${method} ${path}`, { status: 404 }),
    );
  };

  return {
    routes: [
      ...METERED_ENDPOINTS.map((endpoint) => ({
        method: 'POST',
        pattern: endpoint,
        handler: ((req, res) => inference(endpoint, endpoint, req, res)) as RouteHandler,
      })),
      { method: 'GET', pattern: '/v1/models', handler: models },
      { method: '*', pattern: '/v1/*', handler: catchAll },
    ],
    idle,
    close: async () => {
      await idle();
      await transport.close();
    },
  };
}

function collect(up: UpstreamResponse, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    up.body.on('data', (c: Buffer) => {
      if (size < max) chunks.push(c);
      size += c.length;
    });
    up.body.once('end', () => resolve(Buffer.concat(chunks)));
    up.body.once('error', reject);
  });
}

interface ExchangeInput {
  endpoint: ProxyEndpoint;
  route: string;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  startedMs: number;
  parsed: ParsedRequest;
  info: ProxyRequestInfo;
  admitted: Admitted;
}

/** One admitted request, from dispatch to settlement. Ends in exactly one settle or release. */
class Exchange {
  private readonly config: Config;
  private readonly admission: Admission;
  private clientGone = false;
  private closed = false;
  private upstreamStartMs = 0;
  private firstByteMs = 0;
  private usage: Usage | null = null;
  private modelServed: string | null = null;
  private completionChars = 0;
  private dataEvents = 0;
  private streamError = false;
  /**
   * The stream's end (`data: [DONE]`, or `response.completed` on /v1/responses) was written to a
   * client still there: it got the whole answer, so leaving before our cost comment is no abort
   * (the Python openai SDK closes the connection as soon as it reads [DONE]).
   */
  private endDelivered = false;
  private drainBytes = 0;
  private drainTimer: NodeJS.Timeout | null = null;
  private up: UpstreamResponse | null = null;
  private onClientGone: (() => void) | null = null;

  constructor(
    deps: ProxyHandlerDeps,
    private readonly m: ProxyMetrics,
    private readonly transport: UpstreamTransport,
    private readonly x: ExchangeInput,
  ) {
    this.config = deps.config;
    this.admission = deps.admission;
    // The client may already have left while admission ran.
    if (x.res.destroyed || x.req.socket.destroyed) this.clientGone = true;
    else
      x.res.once('close', () => {
        if (x.res.writableFinished) return;
        this.clientGone = true;
        this.onClientGone?.();
      });
  }

  async run(): Promise<void> {
    const { x } = this;
    const { body, stripUsage } = upstreamBody(x.endpoint, x.parsed, x.admitted);
    const headers = upstreamHeaders(x.req.headers, {
      credential: x.admitted.upstreamCredential,
      userId: x.admitted.userId,
      requestId: x.requestId,
      bodyBytes: body.length,
    });
    this.upstreamStartMs = performance.now();
    let up: UpstreamResponse;
    try {
      // The route's own path: the client's query string never reaches LiteLLM (it reads `model` there).
      const path = upstreamPath(x.endpoint, x.req.url);
      up = await this.transport.request({ method: 'POST', path, headers, body });
    } catch (err) {
      // An open circuit breaker answers 503 at once (the hold is released like any failure).
      if (err instanceof AppError) return this.fail(err);
      const failure = classifyUpstreamError(err);
      logger.warn({ err, failure }, 'upstream request failed');
      return this.fail(
        failure === 'timeout' ? new UpstreamTimeoutError(err) : new UpstreamUnreachableError(err),
      );
    }
    this.up = up;
    if (up.status >= 400) return this.upstreamError(up);
    const contentType = String(up.headers['content-type'] ?? '');
    if (x.parsed.stream && contentType.startsWith('text/event-stream'))
      return this.pipeStream(up, stripUsage);
    return this.pipeBody(up);
  }

  private now(): number {
    return performance.now();
  }

  private outcome(
    status: Outcome['status'],
    httpStatus: number,
    usage: Usage | null,
    estimated: boolean,
  ): Outcome {
    return {
      status,
      httpStatus,
      usage,
      estimated,
      modelServed: this.modelServed ?? (usage ? this.x.admitted.model : null),
      latencyMs: this.now() - this.x.startedMs,
    };
  }

  private record(outcome: Outcome) {
    const { route } = this.x;
    const end = this.now();
    this.m.requests.inc({
      route,
      model: this.x.admitted.model,
      status: String(outcome.httpStatus),
      outcome: outcome.status,
    });
    if (outcome.estimated) this.m.estimated.inc({ route });
    if (this.upstreamStartMs) {
      const upstreamEnd = this.upstreamEndMs || end;
      this.m.upstreamDuration.observe({ route }, (upstreamEnd - this.upstreamStartMs) / 1000);
      if (this.firstByteMs)
        this.m.upstreamTtfb.observe({ route }, (this.firstByteMs - this.upstreamStartMs) / 1000);
      const overhead = end - this.x.startedMs - (upstreamEnd - this.upstreamStartMs);
      this.m.overhead.observe({ route }, Math.max(0, overhead) / 1000);
    }
  }

  private upstreamEndMs = 0;

  private async release(outcome: Outcome) {
    if (this.closed) return;
    this.closed = true;
    this.record(outcome);
    try {
      await this.inOwnContext(() => this.admission.release(this.x.admitted.ticket, outcome));
    } catch (err) {
      logger.error({ err }, 'releasing a hold failed');
    }
  }

  /** The ledger posting of this request, awaited after the response has gone out. */
  posted: Promise<void> = Promise.resolve();

  /**
   * Settles, and resolves once the charge is journaled: the caller writes the last of the answer
   * (the cost headers, the cost comment, the end) only after that.
   */
  private async settle(outcome: Outcome): Promise<Settlement | null> {
    if (this.closed) return null;
    this.closed = true;
    this.record(outcome);
    try {
      const priced = this.inOwnContext(() => this.admission.settle(this.x.admitted.ticket, outcome));
      this.posted = priced.posted;
      await priced.journaled;
      return priced.settlement;
    } catch (err) {
      logger.error({ err, usage: outcome.usage }, 'settling a request failed');
      return null;
    }
  }

  /**
   * Runs `fn` in this request's context. Settlement is reached from upstream socket events, which
   * run in the context of whichever request opened the pooled connection: without this, logs (and
   * anything reading the context) would name that other request.
   */
  private inOwnContext<T>(fn: () => T): T {
    return runWithRequestContext({ requestId: this.x.requestId }, fn);
  }

  /** Upstream produced no answer: release the hold and tell the client. */
  private async fail(err: AppError) {
    this.upstreamEndMs = this.now();
    await this.release(this.outcome('failed', err.status, null, false));
    if (!this.clientGone) sendError(this.x.res, err, this.x.requestId);
  }

  private async upstreamError(up: UpstreamResponse) {
    let raw: Buffer;
    try {
      raw = await collect(up, ERROR_BODY_MAX);
    } catch {
      raw = Buffer.alloc(0);
    }
    this.upstreamEndMs = this.now();
    if (up.status === 401) {
      logger.error({ status: up.status }, 'LiteLLM rejected the upstream credential');
      return this.fail(new UpstreamAuthError());
    }
    await this.release(this.outcome('failed', up.status, null, false));
    if (this.clientGone) return;
    const unknown = unknownModelIn(up.status, raw);
    if (unknown !== null) return sendError(this.x.res, new ModelNotFoundError(unknown), this.x.requestId);
    const body = normaliseUpstreamError(up.status, raw, this.x.requestId);
    sendJson(this.x.res, up.status, body, this.extraHeaders(up));
  }

  private extraHeaders(up: UpstreamResponse): Record<string, string> {
    const h: Record<string, string> = { ...this.x.admitted.responseHeaders };
    const callId = up.headers['x-litellm-call-id'];
    if (typeof callId === 'string') h['x-litellm-call-id'] = callId;
    return h;
  }

  /** Writes to the client with backpressure on the upstream body; a gone client just drops bytes. */
  private write(chunk: Buffer) {
    if (this.clientGone || chunk.length === 0) return;
    if (!this.x.res.write(chunk) && this.up) {
      const body = this.up.body;
      body.pause();
      const resume = () => body.resume();
      this.x.res.once('drain', resume);
    }
  }

  /**
   * After the client leaves, keep reading upstream so its usage still arrives and is billed,
   * bounded by PROXY_DRAIN_MAX_BYTES and PROXY_DRAIN_MAX_MS.
   */
  private startDrain(up: UpstreamResponse, stop: () => void) {
    const begin = () => {
      up.body.resume();
      this.drainTimer = setTimeout(stop, this.config.PROXY_DRAIN_MAX_MS);
      this.drainTimer.unref();
    };
    if (this.clientGone) begin();
    else this.onClientGone = begin;
  }

  private countDrain(bytes: number, stop: () => void) {
    if (!this.clientGone) return;
    this.drainBytes += bytes;
    if (this.drainBytes > this.config.PROXY_DRAIN_MAX_BYTES) stop();
  }

  private pipeStream(up: UpstreamResponse, strip: boolean): Promise<void> {
    const { x } = this;
    const res = x.res;
    if (!this.clientGone) {
      res.writeHead(up.status, {
        ...clientResponseHeaders(up.headers),
        ...this.extraHeaders(up),
        'x-request-id': x.requestId,
      });
      res.flushHeaders();
    }
    const textKeys = x.endpoint === '/v1/responses' ? RESPONSES_TEXT_KEYS : CHAT_TEXT_KEYS;
    const parser = new SseParser();
    let pendingWritten = 0;

    /** Notes usage, errors and text; when stripping, returns what replaces a usage event (empty = drop it). */
    const inspect = (ev: SseEvent): Buffer | null => {
      const data = ev.data;
      if (!data) return null;
      this.dataEvents++;
      if (data.length === DONE.length && data.equals(DONE)) {
        // Written right after this inspection, in the same turn (the client cannot leave in between).
        if (!this.clientGone) this.endDelivered = true;
        return null;
      }
      if (hasUsageObject(data)) {
        let obj: any;
        try {
          obj = JSON.parse(data.toString('utf8'));
        } catch {
          return null;
        }
        const usage = usageOf(obj);
        if (!usage) return null;
        this.usage = usage;
        if (obj.type === 'response.completed' && !this.clientGone) this.endDelivered = true;
        const model = obj.model ?? obj.response?.model;
        if (typeof model === 'string') this.modelServed = model;
        if (!strip) return null;
        if (isUsageOnlyChunk(obj)) return EMPTY;
        // Usage riding on a chunk that also carries content: forward the chunk without it.
        delete obj.usage;
        return Buffer.from(`data: ${JSON.stringify(obj)}\n\n`);
      }
      if (data.subarray(0, ERROR_PREFIX.length).equals(ERROR_PREFIX)) this.streamError = true;
      this.completionChars += countStringChars(data, textKeys);
      return null;
    };

    return new Promise<void>((resolve) => {
      let finished = false;
      const finish = (kind: 'end' | 'error' | 'drain_limit') => {
        if (finished) return;
        finished = true;
        if (this.drainTimer) clearTimeout(this.drainTimer);
        this.upstreamEndMs = this.now();
        if (kind !== 'end') up.body.destroy();
        // An incomplete last event: dispatch what it has, then write whatever was held back.
        let replaced = false;
        const rest = parser.end((_b, ev) => {
          const replacement = inspect(ev);
          if (replacement && strip && pendingWritten === 0) {
            this.write(replacement);
            replaced = true;
          }
        });
        if (rest && strip && !replaced) this.write(rest.subarray(pendingWritten));
        this.finishStream(kind).finally(resolve);
      };
      const stop = () => finish('drain_limit');
      this.startDrain(up, stop);
      up.body.on('data', (chunk: Buffer) => {
        if (!this.firstByteMs) this.firstByteMs = this.now();
        this.countDrain(chunk.length, stop);
        if (!strip) {
          this.write(chunk);
          parser.feed(chunk, (_b, ev) => {
            inspect(ev);
          });
          return;
        }
        let writtenUpTo = pendingWritten;
        const { buf, tailStart } = parser.feed(chunk, (b, ev) => {
          const replacement = inspect(ev);
          if (replacement && ev.start >= writtenUpTo) {
            this.write(b.subarray(writtenUpTo, ev.start));
            this.write(replacement);
            writtenUpTo = ev.end;
          }
        });
        if (tailStart > writtenUpTo) {
          this.write(buf.subarray(writtenUpTo, tailStart));
          writtenUpTo = tailStart;
        }
        if (buf.length - tailStart > STRIP_HOLD_MAX) {
          this.write(buf.subarray(writtenUpTo));
          writtenUpTo = buf.length;
        }
        pendingWritten = Math.max(0, writtenUpTo - tailStart);
      });
      up.body.once('end', () => finish('end'));
      up.body.once('error', (err) => {
        logger.warn({ err }, 'upstream stream broke');
        this.streamError = true;
        finish('error');
      });
    });
  }

  /**
   * Stream billing: the usage upstream reported, else an estimate from the prompt and the streamed
   * text. A stream that delivered no data event at all is released (nothing was served).
   */
  private async finishStream(kind: 'end' | 'error' | 'drain_limit') {
    const { x } = this;
    const res = x.res;
    const broken = kind === 'error' || this.streamError;
    const aborted = this.clientGone && !this.endDelivered;
    const status: Outcome['status'] = aborted ? 'client_aborted' : broken ? 'failed' : 'succeeded';
    if (!this.usage && this.dataEvents === 0 && !this.clientGone) {
      await this.release(this.outcome('failed', 502, null, false));
      if (!this.clientGone) res.end();
      return;
    }
    const estimated = this.usage === null;
    const usage = this.usage ?? estimateUsage(x.info.promptTokensEstimate, this.completionChars);
    if (kind === 'error' && !this.clientGone && !this.usage) {
      const event = {
        error: {
          message: 'The upstream stream was interrupted',
          type: 'api_error',
          code: 'UPSTREAM_STREAM_BROKEN',
          param: null,
        },
      };
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    }
    const outcome = this.outcome(status, 200, usage, estimated);
    if (this.clientGone || !this.config.PROXY_STREAM_COST_COMMENT) {
      await this.settle(outcome);
      if (!this.clientGone) res.end();
      return;
    }
    const settled = await this.settle(outcome);
    if (settled && !this.clientGone) {
      const h = settlementHeaders(settled, estimated);
      const parts = [
        `tollgate-cost=${h['x-tollgate-cost']}`,
        `currency=${settled.currency}`,
        `cost_nanos=${settled.costNanos}`,
      ];
      if (h['x-tollgate-balance']) parts.push(`balance=${h['x-tollgate-balance']}`);
      if (estimated) parts.push('estimated=true');
      res.write(`: ${parts.join(' ')}\n\n`);
    }
    res.end();
  }

  /**
   * Non-stream bodies. With PROXY_COST_HEADERS the body is held (up to PROXY_RESPONSE_BUFFER_MAX_BYTES:
   * a JSON answer is useless to a client until complete) so the cost can go in the headers; past
   * that, or without cost headers, bytes are forwarded as they arrive and settlement follows.
   */
  private pipeBody(up: UpstreamResponse): Promise<void> {
    const { x } = this;
    const res = x.res;
    const hold = this.config.PROXY_COST_HEADERS;
    const copyMax = this.config.PROXY_RESPONSE_BUFFER_MAX_BYTES;
    const baseHeaders = () => ({
      ...clientResponseHeaders(up.headers),
      ...this.extraHeaders(up),
      'x-request-id': x.requestId,
    });
    let chunks: Buffer[] = [];
    let size = 0;
    let overflowed = false;
    let tail: Buffer = Buffer.alloc(0);
    let headersSent = false;
    const sendHeadersNow = () => {
      if (headersSent || this.clientGone) return;
      headersSent = true;
      res.writeHead(up.status, baseHeaders());
    };
    if (!hold) sendHeadersNow();

    return new Promise<void>((resolve) => {
      let finished = false;
      const finish = async (kind: 'end' | 'error' | 'drain_limit', err?: unknown) => {
        if (finished) return;
        finished = true;
        if (this.drainTimer) clearTimeout(this.drainTimer);
        this.upstreamEndMs = this.now();
        if (kind !== 'end') up.body.destroy();
        try {
          if (kind === 'error') {
            // A cut JSON answer is worthless: release, and fail the client plainly.
            const appErr =
              classifyUpstreamError(err) === 'timeout'
                ? new UpstreamTimeoutError(err)
                : new UpstreamUnreachableError(err);
            await this.release(this.outcome('failed', appErr.status, null, false));
            if (this.clientGone) return;
            if (headersSent) res.destroy();
            else sendError(res, appErr, x.requestId);
            return;
          }
          let usage: Usage | null = null;
          let body: any;
          if (!overflowed && kind === 'end') {
            const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
            chunks = [whole];
            try {
              body = JSON.parse(whole.toString('utf8'));
              usage = usageOf(body);
              if (typeof body?.model === 'string') this.modelServed = body.model;
            } catch {
              usage = null;
            }
            if (!usage) this.completionChars = countStringChars(whole, CHAT_TEXT_KEYS);
          } else usage = usageFromFragment(tail);
          const estimated = usage === null;
          const billed = usage ?? estimateUsage(x.info.promptTokensEstimate, this.completionChars);
          const outcome = this.outcome(
            this.clientGone ? 'client_aborted' : 'succeeded',
            up.status,
            billed,
            estimated,
          );
          if (headersSent || this.clientGone) {
            await this.settle(outcome);
            if (!this.clientGone) res.end();
            return;
          }
          const settled = await this.settle(outcome);
          const whole = chunks[0] ?? Buffer.alloc(0);
          res.writeHead(up.status, {
            ...baseHeaders(),
            ...(settled ? settlementHeaders(settled, estimated) : {}),
            'content-length': String(whole.length),
          });
          res.end(whole);
        } finally {
          resolve();
        }
      };
      const stop = () => void finish('drain_limit');
      this.startDrain(up, stop);
      up.body.on('data', (chunk: Buffer) => {
        if (!this.firstByteMs) this.firstByteMs = this.now();
        this.countDrain(chunk.length, stop);
        size += chunk.length;
        if (!overflowed && size > copyMax) {
          overflowed = true;
          if (hold && !this.clientGone) {
            sendHeadersNow();
            for (const c of chunks) this.write(c);
          }
          chunks = [];
        }
        if (!overflowed) chunks.push(chunk);
        if (headersSent) this.write(chunk);
        if (overflowed) {
          tail = Buffer.concat([tail, chunk]);
          if (tail.length > TAIL_WINDOW) tail = tail.subarray(tail.length - TAIL_WINDOW);
        }
      });
      up.body.once('end', () => void finish('end'));
      up.body.once('error', (err) => void finish('error', err));
    });
  }
}
