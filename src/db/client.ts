import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { type Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { preparedStatementName } from '../ledger/prepared-statements.ts';
import { applyMigrations, type SqlAdapterFactory } from './schema-engine.ts';

export type Db = PrismaClient;
/** What `db.$transaction(async (tx) => …)` hands its callback. */
export type Tx = Prisma.TransactionClient;

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
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
    const adapterFactory = new PrismaPg(
      { connectionString: opts.url, max: opts.poolSize ?? 10 },
      { statementNameGenerator: preparedStatementName },
    );
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return wrap(prisma, 'postgres', adapterFactory, async () => {});
  }
  const dataDir = opts.dataDir ?? './data';
  let pgliteDir = 'memory://';
  if (!dataDir.startsWith('memory://')) {
    pgliteDir = path.resolve(dataDir, 'pglite');
    mkdirSync(pgliteDir, { recursive: true });
  }
  const pglite = await PGlite.create(pgliteDir);
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return wrap(prisma, 'pglite', adapterFactory, () => pglite.close());
}

function wrap(
  prisma: PrismaClient,
  kind: Database['kind'],
  adapterFactory: SqlAdapterFactory,
  closeDriver: () => Promise<void>,
): Database {
  return {
    prisma,
    kind,
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
