import pg from 'pg';

/**
 * Every `pg` query this process sends (Prisma's adapter runs each statement, and BEGIN/COMMIT, as
 * one; the driver-level hot statements too): one round trip each. Patched once, on import.
 */
export const pgQueries = { n: 0 };
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  pgQueries.n++;
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;
