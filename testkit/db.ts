import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/client.ts';

export type Backend = 'postgres' | 'pglite';

/**
 * Backends that repository-level tests run on: PGlite always, real PostgreSQL when
 * TEST_DATABASE_URL is set (npm test provisions one). Use with describe.each(backends()).
 */
export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];
}

export function requirePostgresUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      'TEST_DATABASE_URL is not set: run the suite with `npm test`, which provisions PostgreSQL',
    );
  return url;
}

export interface TestDatabase extends Database {
  /** Connection URL (postgres only): other processes can open the same database. */
  url: string | undefined;
}

/** A fresh, migrated database: its own PostgreSQL database, or an in-memory PGlite. Dropped on close. */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const db = await openDatabase({ dataDir: 'memory://' });
    await db.migrate();
    return { ...db, url: undefined };
  }
  return openThrowawayPostgres(requirePostgresUrl(), { poolSize: 20 });
}

/**
 * A fresh, migrated database on the PostgreSQL server at `adminUrl`, dropped on close. Tests use it
 * through openTestDatabase; the benchmarks call it directly.
 */
export async function openThrowawayPostgres(
  adminUrl: string,
  opts: { poolSize: number; prefix?: string },
): Promise<TestDatabase> {
  const name = `${opts.prefix ?? 'tollgate_test'}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: opts.poolSize });
  await db.migrate();
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
