import { createRequire } from 'node:module';
import type { GraphQLError as GraphQLErrorType } from 'graphql';
import { dependencyOutage } from '../infra/dependency-errors.ts';
import { AppError, ValidationError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';

/**
 * The errors we build must be instances of the copy of graphql that yoga and graphql-ws load (they
 * check with instanceof). graphql has no `exports` map, so Node gives every package its CommonJS
 * build, while a bundler-style loader (vitest) would give this file the ESM one: take it the way
 * Node does.
 */
const { GraphQLError } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
type GraphQLError = GraphQLErrorType;

/**
 * graphql ships CJS and ESM copies and yoga's dependencies load the other one, so `instanceof
 * GraphQLError` is unreliable here: recognise it by name.
 */
function isGraphQLError(e: unknown): e is GraphQLError {
  return e instanceof Error && e.name === 'GraphQLError' && 'extensions' in e;
}

/**
 * Pothos throws PothosValidationError for arguments it refuses at run time (`first: -5`, a cursor
 * that is not one, `before` with `first`): the client's mistake, with a message safe to show.
 */
function isPothosValidationError(e: unknown): e is Error {
  return e instanceof Error && e.name === 'PothosValidationError';
}

/** Maps errors once: AppError → extensions {code, request_id}; anything unknown is masked and logged. */
export function toGraphQLError(err: unknown, requestId: string): GraphQLError {
  const gqlErr = isGraphQLError(err) ? err : undefined;
  const raw = gqlErr ? (gqlErr.originalError ?? gqlErr) : err;
  const outage = raw instanceof AppError ? null : dependencyOutage(raw);
  if (outage) logger.warn({ err: raw }, 'dependency unavailable');
  const original = outage ?? (isPothosValidationError(raw) ? new ValidationError(raw.message) : raw);
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
      http,
      ...extensions
    } = gqlErr.extensions as Record<string, unknown> & { http?: { spec?: boolean } };
    // Yoga answers its own request errors (body not JSON, no query) 200 to application/json clients
    // when marked `spec`; a malformed request is a 400 here whatever the client accepts.
    const { spec: _spec, ...httpKept } = http ?? {};
    return new GraphQLError(gqlErr.message, {
      nodes: gqlErr.nodes,
      path: gqlErr.path,
      extensions: {
        code: 'BAD_USER_INPUT',
        ...extensions,
        ...(http ? { http: httpKept } : {}),
        request_id: requestId,
      },
    });
  }
  logger.error({ err: original }, 'unhandled GraphQL error');
  return new GraphQLError('Internal server error', {
    nodes: gqlErr?.nodes,
    path: gqlErr?.path,
    extensions: { code: 'INTERNAL', request_id: requestId },
  });
}
