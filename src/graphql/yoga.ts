import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLError } from 'graphql';
import { type Plugin, createYoga } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { schema } from '../schema/index.ts';
import type { GraphQLServices } from '../context.ts';
import { resolveCaller } from './caller.ts';
import { QueryCostBudget } from './cost-budget.ts';
import { documentLimitPlugins } from './document-limits.ts';
import { toGraphQLError } from './error-mapping.ts';
import { useOperationGuard } from './operation-guard.ts';
import { useSubscriptionRevocation } from './subscription-revocation.ts';

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
  res?: ServerResponse;
  connectionParams?: Record<string, unknown>;
  extra?: { request?: IncomingMessage };
}

/**
 * CORS from GRAPHQL_CORS_ORIGINS, never a reflected origin (yoga's default reflects any origin
 * with credentials). Empty: no CORS headers (the console is same-origin). Credentials are never
 * allowed: the session cookie works only from our own origin (src/graphql/caller.ts), so another
 * origin's page gets no session however CORS is set; `*` is an explicit choice.
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

export function createGraphQL(services: GraphQLServices) {
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
    plugins: [
      ...documentLimitPlugins(services.config),
      useOperationGuard({ config: services.config, budget: new QueryCostBudget(services.state) }),
      useSubscriptionRevocation(services.apiKeys),
      useRequestIdInResults(),
    ],
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
      const caller = await resolveCaller(services, init.req ?? init.extra?.request, init.res, headerOf);
      return { requestId, userAgent: headerOf('user-agent'), services, ...caller };
    },
  });
}

export { toGraphQLError };

export type GraphQLServer = ReturnType<typeof createGraphQL>;
