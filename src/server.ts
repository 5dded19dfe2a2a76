import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { DocumentNode } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from './config.ts';
import { toGraphQLError } from './graphql/error-mapping.ts';
import { sameOrigin } from './identity/sign-in/cookies.ts';
import type { GraphQLServer } from './graphql/yoga.ts';
import { sendError, sendJson } from './http/errors.ts';
import type { Metrics } from './http/metrics.ts';
import type { Router } from './http/router.ts';
import { AppError, BadRequestError, NotFoundError } from './lib/errors.ts';
import { uuidv7 } from './lib/ids.ts';
import { logger } from './lib/logger.ts';
import { resolveRequestId, runWithRequestContext } from './lib/request-context.ts';

/**
 * One HTTP server on one port. Every request gets a request id (the client's X-Request-ID if it is
 * printable and ≤128 chars, else a new UUIDv7, with X-Request-ID-Replaced saying so), echoed on the
 * response and bound to every log line through AsyncLocalStorage.
 */
export function createHttpServer(
  deps: { metrics: Metrics; config?: Pick<Config, 'PUBLIC_BASE_URL' | 'GRAPHQL_CORS_ORIGINS'> },
  router: Router,
  graphql: GraphQLServer,
): http.Server {
  const { httpRequests, httpDuration } = deps.metrics;

  /** Routes one request. Async, so a synchronous throw anywhere in it becomes a rejection the edge catches. */
  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, started: bigint) {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const found = router.find(method, path);
    const routeName = found && 'route' in found ? found.route.name : 'unmatched';
    res.once('finish', () => {
      const labels = { route: routeName, method, status: String(res.statusCode) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    if (!found) return sendError(res, new NotFoundError('Route', `${method} ${path}`), requestId);
    if (!('route' in found)) {
      res.setHeader('allow', found.allowed.join(', '));
      return sendError(
        res,
        new AppError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, { status: 405 }),
        requestId,
      );
    }
    if ('malformed' in found)
      return sendError(
        res,
        new BadRequestError('The URL path is not valid percent-encoding', 'INVALID_URL_ENCODING'),
        requestId,
      );
    await found.route.handler(req, res, found.params);
  }

  const server = http.createServer(
    { keepAliveTimeout: 65_000 },
    (req: IncomingMessage, res: ServerResponse) => {
      const started = process.hrtime.bigint();
      const { requestId, replaced } = resolveRequestId(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      if (replaced) res.setHeader('x-request-id-replaced', 'invalid');
      // A stream 'error' without a listener is thrown by the emitter and would end the process.
      req.on('error', (err) => logger.debug({ err, requestId }, 'request stream error'));
      res.on('error', (err) => logger.debug({ err, requestId }, 'response stream error'));
      runWithRequestContext({ requestId }, () => {
        handle(req, res, requestId, started).catch((err) => lastResort(res, err, requestId));
      });
    },
  );

  // graphql-ws on the same path as HTTP GraphQL.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?', 1)[0] !== '/graphql') {
      socket.destroy();
      return;
    }
    // Cross-site WebSocket hijacking: a browser sends our cookies with an upgrade from any page, and
    // WebSockets have no CORS. Only our own origin, the GRAPHQL_CORS_ORIGINS and programs (no Origin) may connect.
    if (!upgradeOriginAllowed(req, deps.config)) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  useServer(
    {
      // A refusal before execution (cost, budget, who may ask) is thrown: answer it as a result,
      // not as a closed socket.
      execute: (args: any) => asResult(args, () => args.rootValue.execute(args)),
      subscribe: (args: any) => asResult(args, () => args.rootValue.subscribe(args)),
      onSubscribe: async (ctx, _id, params) => {
        const requestId = resolveRequestId(ctx.extra.request.headers['x-request-id']).requestId ?? uuidv7();
        return runWithRequestContext({ requestId }, async () => {
          const enveloped = graphql.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
            connectionParams: ctx.connectionParams,
          });
          let document: DocumentNode;
          let contextValue: object;
          try {
            // The enveloped parser, so the token limit holds here too.
            document = enveloped.parse(params.query);
            const errors = enveloped.validate(enveloped.schema, document);
            if (errors.length) return errors.map((e: unknown) => toGraphQLError(e, requestId));
            contextValue = await enveloped.contextFactory();
          } catch (err) {
            return [toGraphQLError(err, requestId)];
          }
          return {
            schema: enveloped.schema,
            operationName: params.operationName,
            document,
            variableValues: params.variables,
            contextValue,
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
        });
      },
    },
    wss,
  );
  server.on('close', () => wss.close());
  // Requests Node's parser refuses never reach the router: still answered in the one error shape.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    logger.debug({ err }, 'client error');
    if (!socket.writable) return;
    const requestId = uuidv7();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: {
        message: tooLarge ? 'Request headers too large' : 'Malformed HTTP request',
        type: 'invalid_request_error',
        code: tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST',
        param: null,
      },
      request_id: requestId,
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

/**
 * The one last-resort catch: whatever one request throws (synchronously or as a rejection) is
 * answered here — the typed error's status, else 500 INTERNAL with the request id, logged by
 * toHttpError — and never reaches the process. Headers already out: the response is cut instead.
 */
function lastResort(res: ServerResponse, err: unknown, requestId: string) {
  try {
    if (res.headersSent) {
      logger.error({ err, requestId }, 'request failed after its headers were sent');
      res.destroy();
      return;
    }
    sendError(res, err, requestId);
  } catch (inner) {
    logger.error({ err: inner, requestId }, 'answering a failed request failed');
    res.destroy();
  }
}

function upgradeOriginAllowed(
  req: IncomingMessage,
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'GRAPHQL_CORS_ORIGINS'> | undefined,
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || sameOrigin(req.headers, config?.PUBLIC_BASE_URL)) return true;
  const allowed = config?.GRAPHQL_CORS_ORIGINS ?? [];
  return allowed.includes('*') || allowed.includes(origin);
}

async function asResult(
  args: { contextValue?: { requestId?: string } },
  run: () => Promise<any>,
): Promise<any> {
  try {
    return await run();
  } catch (err) {
    return { errors: [toGraphQLError(err, args.contextValue?.requestId ?? 'unknown')] };
  }
}

export { sendJson };
