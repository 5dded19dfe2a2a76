import { type App, createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { RedisSharedState } from '../../src/infra/redis-shared-state.ts';
import type { SharedState } from '../../src/infra/shared-state.ts';
import { MemorySharedState } from '../../src/infra/memory-shared-state.ts';
import { randomBytes } from 'node:crypto';
import type { TestDatabase } from './db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: App;
  url: string;
  config: Config;
  close(): Promise<void>;
  /** POST a GraphQL document; returns the parsed JSON body. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<{ data?: T; errors?: any[]; extensions?: any }>;
}

/** A Redis-backed SharedState with its own key prefix, so parallel tests never share keys. */
export function testRedisState(prefix = `t${randomBytes(4).toString('hex')}:`): SharedState {
  const url = process.env.TEST_REDIS_URL;
  if (!url)
    throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`, which provisions Redis');
  return new RedisSharedState(url, { keyPrefix: prefix });
}

/** Starts the whole gateway on a free port over the given (already migrated) database. */
export async function startTestApp(
  database: TestDatabase,
  opts: { env?: Record<string, string>; state?: SharedState | 'redis' | 'memory'; clock?: () => Date } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    OUTBOX_ENABLED: 'false',
    MIGRATE_ON_START: 'false',
    ...opts.env,
  });
  const state =
    opts.state === 'redis'
      ? testRedisState()
      : opts.state === 'memory' || !opts.state
        ? new MemorySharedState()
        : opts.state;
  const app = await createApp(config, { database, state, ...(opts.clock ? { clock: opts.clock } : {}) });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    config,
    close: () => app.close(),
    async gql(query, variables, o = {}) {
      const token = o.token === undefined ? ADMIN_TOKEN : o.token;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...o.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as any;
    },
  };
}
