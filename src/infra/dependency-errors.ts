import pg from 'pg';
import { Prisma } from '../generated/prisma/client.ts';
import { AppError } from '../lib/errors.ts';

/** What a client should wait before retrying a request refused by an outage (seconds). */
const RETRY_AFTER_SECONDS = '2';

/**
 * A dependency is down: 503 with `retry-after`, so OpenAI's SDKs (and any HTTP client that honours
 * it) retry. The code says which dependency; nothing about the request was wrong.
 */
abstract class DependencyUnavailableError extends AppError {
  constructor(code: string, message: string, cause: unknown) {
    super(code, message, { status: 503, type: 'service_unavailable', cause });
    this.headers = { 'retry-after': RETRY_AFTER_SECONDS };
  }
}

export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly', cause);
  }
}

export class RedisUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('REDIS_UNAVAILABLE', 'Redis is unavailable; retry shortly', cause);
  }
}

/** Prisma's codes for "could not reach / lost / timed out on the database server". */
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
const ADAPTER_CONNECTION_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
/** pg's own connection failures are plain Errors: recognised by their fixed messages. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

/** SQLSTATE of a lost or refused connection: class 08, the server shutting down (57P01–57P03), too many connections. */
const isConnectionSqlState = (code: unknown) =>
  typeof code === 'string' && (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300');

/**
 * A database outage, from whichever layer reported it: Prisma (codes and the driver adapter's
 * error kind), the pg driver (DatabaseError SQLSTATE, its connection messages) or the socket.
 * Other services' network errors are wrapped in their own AppErrors before they get here
 * (upstream, Stripe, Lago), and Redis errors by RedisSharedState, so a bare socket error is the
 * database driver's.
 */
function isDatabaseOutage(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (PRISMA_CONNECTION_CODES.has(err.code)) return true;
    const cause = (err.meta?.driverAdapterError as { cause?: { kind?: string; code?: string } } | undefined)
      ?.cause;
    return (
      ADAPTER_CONNECTION_KINDS.has(cause?.kind ?? '') ||
      (cause?.kind === 'postgres' && isConnectionSqlState(cause.code))
    );
  }
  if (err instanceof pg.DatabaseError) return isConnectionSqlState(err.code);
  if (!(err instanceof Error)) return false;
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys.syscall === 'string' && SOCKET_CODES.has(sys.code ?? '')) return true;
  return PG_CONNECTION_MESSAGES.some((m) => err.message.startsWith(m));
}

/**
 * The typed error for an outage of a dependency, or null when `err` is not one. Called by the two
 * edges (src/http/errors.ts, src/graphql/yoga.ts) for errors that are not AppErrors already.
 */
export function dependencyOutage(err: unknown): DependencyUnavailableError | null {
  if (err instanceof DependencyUnavailableError) return err;
  return isDatabaseOutage(err) ? new DatabaseUnavailableError(err) : null;
}
