import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { type Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { logger } from '../lib/logger.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { applyMigrations, type SqlAdapterFactory } from './schema-engine.ts';
import { pgliteSql, poolSql, preparedStatementName, registerDriver, type Sql } from './sql.ts';

export type Db = PrismaClient;
/** What `db.$transaction(async (tx) => …)` hands its callback. */
export type Tx = Prisma.TransactionClient;

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** The driver under `prisma`, for the proxy's per-request statements (src/db/sql.ts). */
  sql: Sql;
  adapterFactory: SqlAdapterFactory;
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent the embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` for an in-memory database. */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    // The ledger's hot statements are prepared once per connection (docs/benchmarks.md).
    // One pool for Prisma and for the driver-level statements, so DATABASE_POOL_SIZE bounds both.
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle connection the server ended (restart, admin command) is dropped by the pool; without a
    // listener that 'error' would crash the process before Prisma ever connected and added its own.
    pool.on('error', (err) =>
      logger.warn(
        { code: (err as { code?: string }).code, message: err.message },
        'idle PostgreSQL connection closed',
      ),
    );
    const prisma = new PrismaClient({
      adapter: new PrismaPg(pool, { statementNameGenerator: preparedStatementName }),
    });
    // Migrations get connections of their own: the schema engine's session-level advisory lock must
    // end with its connection, never stay behind in the shared pool.
    const adapterFactory = new PrismaPg({ connectionString: opts.url, max: 2 });
    return wrap(prisma, 'postgres', poolSql(pool), adapterFactory, () => pool.end());
  }
  const dataDir = opts.dataDir ?? './data';
  let pgliteDir = 'memory://';
  let unlock = () => {};
  if (!dataDir.startsWith('memory://')) {
    pgliteDir = path.resolve(dataDir, 'pglite');
    mkdirSync(pgliteDir, { recursive: true });
    // Before PGlite reads the directory: a second process must be refused, not half-write.
    unlock = lockDataDir(path.resolve(dataDir));
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(pgliteDir);
  } catch (err) {
    unlock();
    throw err;
  }
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return wrap(prisma, 'pglite', pgliteSql(pglite), adapterFactory, async () => {
    try {
      await pglite.close();
    } finally {
      unlock();
    }
  });
}

function wrap(
  prisma: PrismaClient,
  kind: Database['kind'],
  sql: Sql,
  adapterFactory: SqlAdapterFactory,
  closeDriver: () => Promise<void>,
): Database {
  registerDriver(prisma, sql);
  return {
    prisma,
    kind,
    sql,
    adapterFactory,
    migrate: () => applyMigrations(adapterFactory),
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    close: async () => {
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}
