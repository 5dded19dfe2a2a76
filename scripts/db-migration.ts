// npm run db:migration -- <name>: writes the SQL that takes the committed migrations to the
// current prisma/schema.prisma into prisma/migrations/<timestamp>_<name>/migration.sql.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { MIGRATION_LOCK, MIGRATIONS_DIR, diffMigrationsToSchema } from '../src/db/schema-engine.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npm run db:migration -- <name>   (lowercase letters, digits, _)\n');
  process.exit(2);
}
const pglite = await PGlite.create('memory://');
const sql = await diffMigrationsToSchema(new PrismaPGlite(pglite));
await pglite.close();
if (sql === '' || /^-- This is an empty migration\.?$/.test(sql)) {
  process.stdout.write('schema.prisma and the migrations agree: nothing to generate\n');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'migration.sql'), `${sql}\n`);
await writeFile(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), MIGRATION_LOCK);
process.stdout.write(`wrote ${path.relative(process.cwd(), dir)}/migration.sql\n`);
