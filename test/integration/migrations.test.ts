import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema } from '../../src/db/schema-engine.ts';
import { backends, openTestDatabase } from '../helpers/db.ts';

describe('migrations', () => {
  it('committed migrations and schema.prisma agree (no drift)', async () => {
    const pglite = await PGlite.create('memory://');
    try {
      const sql = await diffMigrationsToSchema(new PrismaPGlite(pglite));
      expect(sql.replace(/^-- This is an empty migration\.?$/m, '').trim()).toBe('');
    } finally {
      await pglite.close();
    }
  });

  describe.each(backends())('on %s', (backend) => {
    let db: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
    afterAll(async () => db?.close());

    it('applies every migration once, records it in _prisma_migrations, and is idempotent', async () => {
      db = await openTestDatabase(backend);
      const rows = await db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
        SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.finished_at !== null && !r.migration_name.includes('/'))).toBe(true);
      expect(await db.migrate()).toEqual([]);
      const money = await db.prisma.$queryRaw<{ data_type: string }[]>`
        SELECT data_type FROM information_schema.columns WHERE table_name = 'wallets' AND column_name = 'balanceNanos'`;
      expect(money[0]?.data_type).toBe('bigint');
    });
  });
});
