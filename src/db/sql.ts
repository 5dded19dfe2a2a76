import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * One SQL statement with positional parameters ($1, $2, …). `name` identifies it: on PostgreSQL it
 * is prepared once per connection under that name, so it is parsed and planned once.
 */
export interface Statement {
  name: string;
  text: string;
}

/**
 * The driver underneath Prisma, for the proxy's per-request statements (hold, settle, release,
 * usage record). Prisma's client runtime costs ~0.3–0.5 ms of CPU per raw statement, more than
 * the statement itself on loopback; the driver costs a fraction of that (docs/benchmarks.md).
 * Everything else keeps using Prisma. Rows come back as objects; int8 as bigint. Parameters:
 * bigint, number, string, boolean or null; pass timestamps as ISO strings cast in SQL
 * (`$1::timestamp(3)`), since `timestamp` columns hold UTC and the pg driver would send a Date
 * in the process's local zone.
 */
export interface Sql {
  query<T>(statement: Statement, values: readonly unknown[]): Promise<T[]>;
}

const INT8 = 20;
const parseInt8 = (v: string) => BigInt(v);

/** PostgreSQL through the pool Prisma's adapter also uses. */
export function poolSql(pool: pg.Pool): Sql {
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8
        ? parseInt8
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  return {
    async query<T>(s: Statement, values: readonly unknown[]) {
      const r = await pool.query({ name: `tgd_${s.name}`, text: s.text, values: values as unknown[], types });
      return r.rows as T[];
    },
  };
}

/** The embedded PGlite; its `query` waits for any open transaction, as Prisma's adapter relies on. */
export function pgliteSql(db: PGlite): Sql {
  const parsers = { [INT8]: parseInt8 };
  return {
    async query<T>(s: Statement, values: readonly unknown[]) {
      const r = await db.query<T>(s.text, values as unknown[], { parsers });
      return r.rows;
    },
  };
}

/**
 * Prisma's adapter statement names for the `/* tg:NAME *\/` marker that `prismaSql` puts on a
 * statement: the pg driver then prepares each such statement once per connection instead of
 * parsing and planning it on every call (measured: about half of PostgreSQL's time per statement,
 * see docs/benchmarks.md). Every other statement stays unnamed. Wire it as
 * `new PrismaPg(poolConfig, { statementNameGenerator: preparedStatementName })`.
 */
export function preparedStatementName(query: { sql: string }): string {
  const m = /^\/\* tg:([a-z_]+) \*\//.exec(query.sql);
  return (m ? `tg_${m[1]}` : undefined) as string;
}

/** Through Prisma's raw-query path: for a PrismaClient not opened by `openDatabase`. */
export function prismaSql(prisma: PrismaClient): Sql {
  return {
    query: <T>(s: Statement, values: readonly unknown[]) =>
      prisma.$queryRawUnsafe<T[]>(`/* tg:${s.name} */ ${s.text}`, ...values),
  };
}

const drivers = new WeakMap<object, Sql>();

/** Records the driver under a client built by `openDatabase`. */
export function registerDriver(prisma: PrismaClient, sql: Sql): void {
  drivers.set(prisma, sql);
}

/** The driver under `prisma` when `openDatabase` built it, else Prisma's own raw path. */
export function sqlFor(prisma: PrismaClient): Sql {
  return drivers.get(prisma) ?? prismaSql(prisma);
}
