import { defineConfig } from 'vitest/config';

/** The chaos suite (test/chaos, scripts/chaos.sh): its own PostgreSQL and Redis, killed and restarted. */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    reporters: ['default'],
  },
});
