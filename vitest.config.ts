import { defineConfig } from 'vitest/config';

/**
 * One config, three projects: `npx vitest run --project unit` runs what needs no service;
 * integration and security tests run the gateway on real PostgreSQL and Redis. The chaos suite
 * kills and restarts its own services, so it keeps its own config and script (`npm run test:chaos`,
 * vitest.chaos.config.ts) and never runs in a plain `vitest run`.
 */
export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'security', include: ['test/security/**/*.test.ts'] } },
    ],
  },
});
