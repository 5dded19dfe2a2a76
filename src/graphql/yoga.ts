import type { IncomingMessage } from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { type Plugin, createYoga } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { authenticate, extractCredential } from '../identity/authenticate.ts';
import { dependencyOutage } from '../infra/dependency-errors.ts';
import { AppError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { schema } from '../schema/index.ts';
import type { Services } from '../services.ts';

/** Maps errors once: AppError → extensions {code, request_id}; anything unknown is masked and logged. */
/**
 * graphql ships CJS and ESM copies and yoga's dependencies load the other one, so `instanceof
 * GraphQLError` is unreliable here: recognise it by name.
 */
function isGraphQLError(e: unknown): e is GraphQLError {
  return e instanceof Error && e.name === 'GraphQLError' && 'extensions' in e;
}

export function toGraphQLError(err: unknown, requestId: string): GraphQLError {
  const gqlErr = isGraphQLError(err) ? err : undefined;
  const raw = gqlErr ? (gqlErr.originalError ?? gqlErr) : err;
  const outage = raw instanceof AppError ? null : dependencyOutage(raw);
  if (outage) logger.warn({ err: raw }, 'dependency unavailable');
  const original = outage ?? raw;
  if (original instanceof AppError) {
    return new GraphQLError(original.message, {
      nodes: gqlErr?.nodes,
      path: gqlErr?.path,
      extensions: {
        code: original.code,
        request_id: requestId,
        http: { status: original.status, ...(original.headers ? { headers: original.headers } : {}) },
        ...(original.details ? { details: original.details } : {}),
      },
    });
  }
  // Parse, validation and scalar errors, and yoga's HTTP-level errors (they carry extensions.http),
  // are the client's; only errors thrown from our code without being AppErrors are masked.
  const clientError =
    gqlErr &&
    (!gqlErr.originalError || isGraphQLError(gqlErr.originalError) || gqlErr.extensions?.http !== undefined);
  if (gqlErr && clientError) {
    // Parse/validation/scalar errors are the client's and safe to show (minus any original error).
    const {
      originalError: _hidden,
      stacktrace: _stack,
      ...extensions
    } = gqlErr.extensions as Record<string, unknown>;
    return new GraphQLError(gqlErr.message, {
      nodes: gqlErr.nodes,
      path: gqlErr.path,
      extensions: { code: 'BAD_USER_INPUT', ...extensions, request_id: requestId },
    });
  }
  logger.error({ err: original }, 'unhandled GraphQL error');
  return new GraphQLError('Internal server error', {
    nodes: gqlErr?.nodes,
    path: gqlErr?.path,
    extensions: { code: 'INTERNAL', request_id: requestId },
  });
}

/** Puts request_id into every result's extensions, including yoga's own HTTP-level errors. */
function useRequestIdInResults(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const requestId = currentRequestId();
      if (!requestId) return;
      const r = result as { errors?: readonly GraphQLError[]; extensions?: Record<string, unknown> };
      setResult({
        ...r,
        ...(r.errors ? { errors: r.errors.map((e) => toGraphQLError(e, requestId)) } : {}),
        extensions: { ...r.extensions, request_id: requestId },
      } as any);
    },
  };
}

interface ServerContext {
  req?: IncomingMessage;
  connectionParams?: Record<string, unknown>;
  extra?: { request?: IncomingMessage };
}

/**
 * CORS from GRAPHQL_CORS_ORIGINS, never a reflected origin (yoga's default reflects any origin
 * with credentials). Empty: no CORS headers (the console is same-origin). No cookies are used, so
 * credentials are never allowed; `*` is an explicit choice.
 */
function corsOptions(origins: string[]) {
  if (origins.length === 0) return false as const;
  return {
    origin: origins.includes('*') ? '*' : origins,
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id'],
    exposedHeaders: ['x-request-id'],
  };
}

export function createGraphQL(services: Services) {
  return createYoga<ServerContext, Context>({
    cors: corsOptions(services.config.GRAPHQL_CORS_ORIGINS),
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: services.config.GRAPHIQL,
    // Yoga's default page loads GraphiQL from unpkg (blank offline); this one inlines the same build
    // (script, styles, Monaco workers as blobs), so /graphql needs nothing but the gateway.
    renderGraphiQL,
    landingPage: false,
    logging: false,
    maskedErrors: {
      maskError: (err) => toGraphQLError(err, currentRequestId() ?? 'unknown'),
    },
    plugins: [useRequestIdInResults()],
    context: async (init): Promise<Context> => {
      const requestId = currentRequestId() ?? 'unknown';
      const params = init.connectionParams ?? {};
      const headerOf = (name: string): string | undefined => {
        const fromParams = params[name] ?? params[name.toLowerCase()];
        if (typeof fromParams === 'string') return fromParams;
        const req = init.req ?? init.extra?.request;
        const v = req?.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const credential = extractCredential({
        authorization: headerOf('authorization'),
        'x-api-key': headerOf('x-api-key'),
      });
      const limiter = services.authFailures;
      const principal = await limiter.guard(
        limiter.sourceOf(init.req ?? init.extra?.request),
        credential,
        () => authenticate(services, credential),
      );
      return { requestId, principal, services };
    },
  });
}

export type GraphQLServer = ReturnType<typeof createGraphQL>;
