import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { OutboxWorker } from './worker.ts';

/** The process's outbox worker, tuned by OUTBOX_* (docs/configuration.md); started by the app's `listen`. */
export function createOutbox(deps: {
  db: Db;
  config: Pick<
    Config,
    | 'OUTBOX_BATCH_SIZE'
    | 'OUTBOX_CONCURRENCY'
    | 'DATABASE_POOL_SIZE'
    | 'OUTBOX_POLL_INTERVAL_MS'
    | 'OUTBOX_MAX_ATTEMPTS'
    | 'OUTBOX_BACKOFF_BASE_MS'
    | 'OUTBOX_BACKOFF_MAX_MS'
    | 'OUTBOX_LOCK_TIMEOUT_MS'
  >;
}): OutboxWorker {
  const c = deps.config;
  return new OutboxWorker(deps.db, {
    batchSize: c.OUTBOX_BATCH_SIZE,
    concurrency: outboxConcurrency(c),
    pollIntervalMs: c.OUTBOX_POLL_INTERVAL_MS,
    maxAttempts: c.OUTBOX_MAX_ATTEMPTS,
    backoffBaseMs: c.OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: c.OUTBOX_BACKOFF_MAX_MS,
    lockTimeoutMs: c.OUTBOX_LOCK_TIMEOUT_MS,
  });
}

/**
 * Deliveries in flight at once: OUTBOX_CONCURRENCY, or (0, the default) half the database pool;
 * never more than the pool less one. Each delivery may hold one connection, so the worker never
 * takes the whole pool from the routes.
 */
export function outboxConcurrency(c: Pick<Config, 'OUTBOX_CONCURRENCY' | 'DATABASE_POOL_SIZE'>): number {
  const pool = c.DATABASE_POOL_SIZE;
  const wanted = c.OUTBOX_CONCURRENCY > 0 ? c.OUTBOX_CONCURRENCY : Math.floor(pool / 2);
  return Math.max(1, Math.min(wanted, pool - 1));
}
