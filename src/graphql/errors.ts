import { AppError } from '../lib/errors.ts';

/** Which document limit a query broke; each is its own stable code. */
export const DOCUMENT_LIMITS = {
  tokens: 'QUERY_TOO_LARGE',
  depth: 'QUERY_TOO_DEEP',
  aliases: 'TOO_MANY_ALIASES',
  directives: 'TOO_MANY_DIRECTIVES',
} as const;
export type DocumentLimit = keyof typeof DOCUMENT_LIMITS;

/** The document is over a size limit (tokens, depth, aliases, directives); nothing was executed. */
export class DocumentLimitError extends AppError {
  constructor(limit: DocumentLimit, message: string, max: number) {
    super(DOCUMENT_LIMITS[limit], message, { status: 400, details: { limit, max } });
  }
}

/** The operation's estimated cost is above the per-request ceiling; nothing was executed. Retrying will not help. */
export class QueryCostTooHighError extends AppError {
  constructor(cost: number, max: number) {
    super(
      'QUERY_COST_TOO_HIGH',
      `This operation costs ${cost}, more than the ${max} one operation may cost: ask for smaller pages (first/last) or fewer fields`,
      { status: 400, details: { cost, max } },
    );
  }
}

/** A query ran past its time budget; what had not resolved yet was abandoned. */
export class QueryTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super('QUERY_TIMEOUT', `The query did not finish within ${timeoutMs} ms`, {
      status: 503,
      type: 'service_unavailable',
      details: { timeout_ms: timeoutMs },
    });
  }
}

/** Introspection is turned off (GRAPHQL_INTROSPECTION=off). */
export class IntrospectionDisabledError extends AppError {
  constructor() {
    super('INTROSPECTION_DISABLED', 'Introspection is disabled on this gateway', {
      status: 403,
      type: 'permission_error',
    });
  }
}
