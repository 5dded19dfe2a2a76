import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { toGraphQLError } from '../../../src/graphql/yoga.ts';
import { toHttpError } from '../../../src/http/errors.ts';

// Nothing listens here: every connection attempt is refused, as during a PostgreSQL restart.
const DEAD = 'postgresql://tollgate@127.0.0.1:9/postgres';

async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

function administratorShutdown(): pg.DatabaseError {
  const err = new pg.DatabaseError('terminating connection due to administrator command', 0, 'error');
  err.code = '57P01';
  return err;
}

describe('a database outage is a retryable 503 DATABASE_UNAVAILABLE at both edges', () => {
  it.each([
    [
      'Prisma cannot reach the server (P1001)',
      async () => {
        const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: DEAD }) });
        const err = await failure(() => prisma.organization.findMany());
        await prisma.$disconnect();
        return err;
      },
    ],
    [
      'the pg pool is refused (the proxy’s ledger statements)',
      async () => {
        const pool = new pg.Pool({ connectionString: DEAD });
        const err = await failure(() => pool.query('SELECT 1'));
        await pool.end();
        return err;
      },
    ],
    ['the server is shutting down (57P01)', async () => administratorShutdown()],
    ['pg lost the connection mid-query', async () => new Error('Connection terminated unexpectedly')],
  ])('%s', async (_name, make) => {
    const err = await make();
    const http = toHttpError(err, 'req-1');
    expect(http.status).toBe(503);
    expect(http.headers).toEqual({ 'retry-after': '2' });
    expect(http.body).toEqual({
      error: {
        message: 'The database is unavailable; retry shortly',
        type: 'service_unavailable',
        code: 'DATABASE_UNAVAILABLE',
        param: null,
      },
      request_id: 'req-1',
    });
    expect(toGraphQLError(err, 'req-1').extensions).toEqual({
      code: 'DATABASE_UNAVAILABLE',
      request_id: 'req-1',
      http: { status: 503, headers: { 'retry-after': '2' } },
    });
  });

  it('leaves other database errors and unknown errors masked as 500 INTERNAL', () => {
    const unique = new pg.DatabaseError('duplicate key value violates unique constraint', 0, 'error');
    unique.code = '23505';
    for (const err of [unique, new Error('boom'), new TypeError('x is undefined')]) {
      const http = toHttpError(err, 'req-2');
      expect(http.status).toBe(500);
      expect(http.body.error.code).toBe('INTERNAL');
    }
  });
});
