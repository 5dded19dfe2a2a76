import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { sendJson } from './http/errors.ts';
import { createMetrics } from './http/metrics.ts';
import { Router } from './http/router.ts';
import { createGraphQL } from './graphql/yoga.ts';
import { type SharedState, openSharedState } from './infra/shared-state.ts';
import { logger } from './lib/logger.ts';
import { currentRequestId } from './lib/request-context.ts';
import { OutboxWorker } from './outbox/worker.ts';
import { createSharedPubSub } from './pubsub.ts';
import { checkReadiness } from './resolvers/system/readiness.ts';
import { createHttpServer } from './server.ts';
import type { Services } from './services.ts';

export interface App {
  services: Services;
  server: http.Server;
  router: Router;
  /** Starts listening (and the background workers); resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface AppOverrides {
  database?: Database;
  state?: SharedState;
  clock?: () => Date;
}

/** The composition root: builds every service once and wires the routes. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const database =
    overrides.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.TOLLGATE_DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
    }));
  if (config.MIGRATE_ON_START && !overrides.database) {
    const applied = await database.migrate();
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const state = overrides.state ?? openSharedState(config.REDIS_URL);
  const metrics = createMetrics();
  const outbox = new OutboxWorker(database.prisma, {
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    backoffBaseMs: config.OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: config.OUTBOX_BACKOFF_MAX_MS,
    lockTimeoutMs: config.OUTBOX_LOCK_TIMEOUT_MS,
  });
  const services: Services = {
    config,
    database,
    db: database.prisma,
    state,
    pubsub: createSharedPubSub(state),
    outbox,
    metrics,
    clock: overrides.clock ?? (() => new Date()),
  };

  const graphql = createGraphQL(services);
  const router = new Router()
    .on('GET', '/healthz', (_req, res) =>
      sendJson(res, 200, { status: 'ok', request_id: currentRequestId() }),
    )
    .on('GET', '/readyz', async (_req, res) => {
      const readiness = await checkReadiness(services);
      sendJson(res, readiness.ok ? 200 : 503, {
        status: readiness.ok ? 'ready' : 'not_ready',
        components: readiness.components,
        request_id: currentRequestId(),
      });
    })
    .on('GET', '/metrics', async (_req, res) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
    })
    .on('*', '/graphql', (req, res) => graphql(req, res));

  const server = createHttpServer(services, router, graphql);
  const backgroundStops: (() => Promise<void>)[] = [];

  return {
    services,
    server,
    router,
    async listen(port = config.PORT, host = config.HOST) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      if (config.OUTBOX_ENABLED) {
        outbox.start();
        backgroundStops.push(() => outbox.stop());
      }
      return (server.address() as AddressInfo).port;
    },
    async close() {
      await Promise.all(backgroundStops.map((stop) => stop()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await state.close();
      if (!overrides.database) await database.close();
    },
  };
}
