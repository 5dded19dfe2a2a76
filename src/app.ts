import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { readRawBody } from './http/body.ts';
import { sendJson } from './http/errors.ts';
import { createMetrics } from './http/metrics.ts';
import { Router } from './http/router.ts';
import { createGraphQL } from './graphql/yoga.ts';
import { RedisSharedState, type SharedState, openSharedState } from './infra/shared-state.ts';
import { logger } from './lib/logger.ts';
import { currentRequestId } from './lib/request-context.ts';
import { OutboxWorker } from './outbox/worker.ts';
import { createSharedPubSub } from './pubsub.ts';
import { createPlanServices } from './plans/wiring.ts';
import { checkReadiness } from './resolvers/system/readiness.ts';
import { ApiKeyService } from './identity/api-keys.ts';
import { extractCredential, sameSecret } from './identity/authenticate.ts';
import { UnauthenticatedError } from './lib/errors.ts';
import { AuthFailureLimiter } from './identity/auth-failure-limiter.ts';
import { LiteLLMService, registerLiteLLMHandlers } from './integrations/litellm/service.ts';
import { registerLagoHandlers } from './integrations/lago/handlers.ts';
import { lagoWebhookRoute } from './integrations/lago/webhooks.ts';
import { createHttpServer } from './server.ts';
import { createAdmission } from './admission/admission-service.ts';
import { FileJournal } from './admission/file-journal.ts';
import { JournalRecovery } from './admission/journal-recovery.ts';
import { RedisJournal } from './admission/redis-journal.ts';
import { MemoryJournal, type SettlementJournal } from './admission/settlement-journal.ts';
import { notifyLimitChanged } from './notifications/limit-notifications.ts';
import { createPayments, registerPaymentRoutes, startPaymentJobs } from './payments/wiring.ts';
import { createProxyHandler } from './proxy/routes.ts';
import { LedgerService } from './ledger/ledger-service.ts';
import { HoldSweeper } from './ledger/hold-sweeper.ts';
import type { Services } from './services.ts';
import { createRiskServices } from './risk/wiring.ts';

export interface App {
  services: Services;
  server: http.Server;
  router: Router;
  /** Starts listening (and the background workers); resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Resolves once every proxied request in flight has been posted to the ledger: answers go out
   * before their settle (docs/proxy.md), so a reader who must see the charge waits for this.
   */
  settled(): Promise<void>;
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
  const clock = overrides.clock ?? (() => new Date());
  const apiKeys = new ApiKeyService({
    db: database.prisma,
    state,
    clock,
    cacheTtlMs: config.API_KEY_CACHE_TTL_MS,
  });
  await apiKeys.start();
  const litellm = new LiteLLMService({ config, db: database.prisma, metrics, clock });
  const pubsub = createSharedPubSub(state);
  const ledger = new LedgerService(database.prisma, {
    clock,
    pubsub,
    holdTtlMs: config.HOLD_TTL_MS,
    overshootMaxPercent: config.LEDGER_SETTLE_OVERSHOOT_MAX_PERCENT,
    onWalletMoneyMoved: (tx, walletId) => litellm.budgets.enqueueWalletPush(tx, walletId),
  });
  const holdSweeper = new HoldSweeper(ledger, { intervalMs: config.HOLD_SWEEP_INTERVAL_MS });
  const planServices = createPlanServices({
    db: database.prisma,
    state,
    pubsub,
    clock,
    priceCacheTtlMs: config.PRICE_CACHE_TTL_MS,
    // Late-bound: notifications are built below; the callback runs only once requests flow.
    onLimitChanged: (event) => notifyLimitChanged(services, event),
  });
  const riskWiring = createRiskServices({
    config,
    db: database.prisma,
    state,
    pubsub,
    outbox,
    metrics,
    clock,
  });
  const services = {
    ...planServices,
    risk: riskWiring.risk,
    notifications: riskWiring.notifications,
    breakers: riskWiring.breakers,
    apiKeys,
    authFailures: new AuthFailureLimiter(state, {
      perMinute: config.AUTH_FAILURES_PER_MINUTE,
      clientIpHeader: config.CLIENT_IP_HEADER,
      nowMs: () => clock().getTime(),
    }),
    litellm,
    config,
    database,
    db: database.prisma,
    state,
    pubsub,
    ledger,
    outbox,
    metrics,
    clock,
  } satisfies Omit<Services, 'payments'> as Services;
  services.payments = createPayments(services);
  const journal = openJournal(config, state, overrides.state !== undefined);
  const admission = createAdmission(services, journal);
  services.admission = admission;
  const recovery = new JournalRecovery(
    journal,
    (batch) => admission.recoverOrphans(batch),
    config.SETTLEMENT_RECOVERY_INTERVAL_MS,
  );
  registerLiteLLMHandlers(services);
  const lago = registerLagoHandlers(services);
  if (lago) services.lago = lago;

  const graphql = createGraphQL(services);
  const router = new Router()
    .on('GET', '/healthz', (_req, res) =>
      sendJson(res, 200, { status: 'ok', request_id: currentRequestId() }),
    )
    .on('GET', '/readyz', async (_req, res) => {
      const readiness = await checkReadiness(services);
      sendJson(res, readiness.ok ? 200 : 503, {
        status: readiness.ok ? 'ready' : 'not_ready',
        degraded: readiness.degraded,
        components: readiness.components,
        request_id: currentRequestId(),
      });
    })
    .on('GET', '/metrics', async (req, res) => {
      // METRICS_TOKEN: scrapers send it as a bearer token; without it /metrics is open (docs/security.md).
      const token = config.METRICS_TOKEN;
      if (token && !sameSecret(extractCredential({ authorization: req.headers.authorization }) ?? '', token))
        throw new UnauthenticatedError(
          '/metrics needs the METRICS_TOKEN bearer token',
          'INVALID_METRICS_TOKEN',
        );
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
    })
    .on('*', '/graphql', async (req, res) => {
      // Yoga reads a body without any limit: hold it to REQUEST_BODY_LIMIT_BYTES like every route
      // (413 PAYLOAD_TOO_LARGE). A Buffer on `req.body` is what yoga's node adapter reads instead.
      if (req.method !== 'GET' && req.method !== 'HEAD')
        (req as typeof req & { body?: Buffer }).body = await readRawBody(
          req,
          config.REQUEST_BODY_LIMIT_BYTES,
        );
      return graphql(req, res);
    });
  router.on('POST', '/webhooks/lago', lagoWebhookRoute(services, services.lago));
  registerPaymentRoutes(router, services);
  // The OpenAI-compatible proxy (/v1/*), once the admission service exists: docs/proxy.md.
  const proxy = services.admission
    ? createProxyHandler({
        config,
        admission: services.admission,
        authFailures: services.authFailures,
        metrics,
        breaker: services.breakers.get('litellm'),
      })
    : null;
  for (const route of proxy?.routes ?? []) router.on(route.method, route.pattern, route.handler);

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
      if (config.HOLD_SWEEPER_ENABLED) {
        holdSweeper.start();
        backgroundStops.push(() => holdSweeper.stop());
      }
      backgroundStops.push(litellm.startBudgetSync());
      backgroundStops.push(riskWiring.start());
      backgroundStops.push(startPaymentJobs(services));
      recovery.start();
      backgroundStops.push(() => recovery.stop());
      return (server.address() as AddressInfo).port;
    },
    settled: async () => {
      await proxy?.idle();
    },
    async close() {
      // Postings still failing (the database away) are retried this long, then left to the journal.
      admission.drainWithin(config.SETTLEMENT_DRAIN_TIMEOUT_MS);
      await Promise.all(backgroundStops.map((stop) => stop()));
      await proxy?.close();
      await admission.close();
      await apiKeys.stop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await state.close();
      if (!overrides.database) await database.close();
    },
  };
}

/**
 * Where admitted requests' charges are kept until posted (docs/reliability.md): Redis when the state
 * is shared; else a file in the data directory (single-node mode), or process memory when the
 * caller supplied an in-process state of its own (tests) and named no journal directory.
 */
function openJournal(config: Config, state: SharedState, stateSupplied: boolean): SettlementJournal {
  if (state instanceof RedisSharedState)
    return new RedisJournal(state.client, { replicaTtlMs: config.SETTLEMENT_REPLICA_TTL_MS });
  if (stateSupplied && !config.SETTLEMENT_JOURNAL_DIR) return new MemoryJournal();
  return new FileJournal(config.SETTLEMENT_JOURNAL_DIR ?? config.TOLLGATE_DATA_DIR);
}
