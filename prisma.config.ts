import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by Prisma's native CLI (`prisma migrate deploy` where the
// schema engine binary exists). Tollgate itself applies migrations through the WebAssembly engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/tollgate' },
});
