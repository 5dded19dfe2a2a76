import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { sendJson, toHttpError } from '../http/errors.ts';
import type { Metrics } from '../http/metrics.ts';
import type { RouteHandler } from '../http/router.ts';
import type { AuthFailureLimiter } from '../identity/auth-failure-limiter.ts';
import { extractCredential } from '../identity/authenticate.ts';
import { AppError, ConfigError } from '../lib/errors.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { Admission } from '../admission/port.ts';
import { type BodyPolicy, bodyPolicy, isLiteLLMControlField } from './forwarding.ts';
import { createInference } from './inference.ts';
import { createProxyMetrics } from './metrics.ts';
import { createModels } from './models.ts';
import { type UpstreamTransport, breakerTransport, undiciTransport } from './upstream.ts';

export const METERED_ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/responses',
] as const;

export interface ProxyHandlerDeps<Ticket> {
  config: Config;
  admission: Admission<Ticket>;
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

function matchesExtraRoute(patterns: string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

/**
 * The OpenAI-compatible pass-through to LiteLLM: authenticate, validate, admit (hold), forward with
 * our credential and the admitted user and model, stream the answer back, then settle the usage
 * upstream reported (or release the hold when upstream failed). Nothing else: pricing, plans and
 * the ledger are behind the admission port (admission.ts). The path of one request: inference.ts →
 * exchange.ts → stream-relay.ts or body-relay.ts.
 */
export function createProxyHandler<Ticket>(deps: ProxyHandlerDeps<Ticket>): ProxyHandler {
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
  const metrics = createProxyMetrics(deps.metrics);
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

  const reject = (res: ServerResponse, route: string, err: unknown) => {
    const { status, body, headers } = toHttpError(err, currentRequestId() ?? '');
    metrics.requests.inc({ route, model: '', status: String(status), outcome: 'rejected' });
    sendJson(res, status, body, headers);
  };

  const models = createModels({ config, admission, transport, authenticate, reject });
  const inference = createInference({
    config,
    admission,
    metrics,
    transport,
    policyFor: (endpoint) => policies.get(endpoint) ?? extraRoutePolicy,
    authenticate,
    refineRefusal: models.unservedAsNotFound,
    reject,
  });

  const catchAll: RouteHandler = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    // Upstream is called with Tollgate's credential: a path that could climb out of an allowed prefix
    // (dot segments, encoded dots or slashes, backslashes) must never reach it.
    const safe = !/(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\|\/\//i.test(path);
    if (safe && method === 'POST' && matchesExtraRoute(extraRoutes, path))
      return inference.handle(path, '/v1/*', req, res);
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
        handler: ((req, res) => inference.handle(endpoint, endpoint, req, res)) as RouteHandler,
      })),
      { method: 'GET', pattern: '/v1/models', handler: models.route },
      { method: '*', pattern: '/v1/*', handler: catchAll },
    ],
    idle: inference.idle,
    close: async () => {
      await inference.idle();
      await transport.close();
    },
  };
}
