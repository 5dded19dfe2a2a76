import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { ConfigError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';

/**
 * `tollgate serve --workers N`: N gateway processes on one port through Node's cluster module. Each
 * worker is a whole gateway (its own pools, lease and settlement replica id), exactly like a separate
 * replica, so they may only share state that lives outside them: PostgreSQL and Redis.
 */

const METRICS_REQUEST = 'tollgate:metrics-request';
const METRICS_RESPONSE = 'tollgate:metrics-response';
const METRICS_COLLECT = 'tollgate:metrics-collect';
const METRICS_COLLECTED = 'tollgate:metrics-collected';
/** A worker dying within this long of its start counts toward the backoff; one that lived longer resets it. */
const STABLE_MS = 10_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;

/** `--workers` (or TOLLGATE_WORKERS): 'auto' is the number of cores; null if it is neither. */
export function parseWorkerCount(value: string): number | null {
  if (value === 'auto') return availableParallelism();
  return /^[1-9]\d{0,2}$/.test(value) ? Number(value) : null;
}

/** Refuses N > 1 in single-node mode: PGlite and in-memory shared state live inside one process. */
export function assertClusterable(config: Config, workers: number): void {
  if (workers <= 1) return;
  const missing = [
    config.DATABASE_URL ? null : 'DATABASE_URL (the embedded database is single-process)',
    config.REDIS_URL ? null : 'REDIS_URL (in-memory shared state is per process)',
  ].filter((m) => m !== null);
  if (missing.length)
    throw new ConfigError(
      `Invalid configuration:\n  TOLLGATE_WORKERS: ${workers} workers need ${missing.join(' and ')}; unset it or use 1`,
    );
}

/**
 * The primary: forks the workers, replaces one that dies unexpectedly (after a backoff that grows
 * while they keep dying young), and on SIGTERM/SIGINT asks every worker to drain, exiting once all
 * have. Resolves never; the process exits from here.
 */
export function runPrimary(workers: number): void {
  const started = new Map<number, number>();
  let failures = 0;
  let stopping = false;
  let exitCode = 0;
  const pending = new Set<NodeJS.Timeout>();

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
    logger.info({ worker: String(worker.id), pid: worker.process.pid }, 'worker started');
  };

  // Only workers that listen are asked: one still starting (seconds, on a busy machine) could not
  // answer in time, and has served nothing yet.
  const ready = new Set<Worker>();
  cluster.on('listening', (worker) => ready.add(worker));
  const collecting = new Map<number, (metrics: object[]) => void>();
  let nextCollect = 0;
  const gather = (): Promise<string> => {
    const id = nextCollect++;
    const targets = [...ready].filter((w) => w.isConnected());
    const responses: object[] = [];
    let waitingFor = targets.length;
    if (waitingFor === 0) return Promise.resolve('');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        collecting.delete(id);
        reject(new Error(`${waitingFor} worker(s) did not send their metrics within 5 s`));
      }, 5_000);
      collecting.set(id, (metrics) => {
        responses.push(metrics);
        if (--waitingFor > 0) return;
        clearTimeout(timer);
        collecting.delete(id);
        // In the primary's message handler: a throw here would end the primary, so it rejects instead.
        try {
          resolve(AggregatorRegistry.aggregate(responses).metrics());
        } catch (err) {
          reject(err);
        }
      });
      for (const w of targets) w.send({ type: METRICS_COLLECT, id });
    });
  };

  cluster.on('message', (worker: Worker, message: { type?: string; id?: number; metrics?: object[] }) => {
    if (message?.type === METRICS_COLLECTED && message.id !== undefined && message.metrics)
      collecting.get(message.id)?.(message.metrics);
    if (message?.type !== METRICS_REQUEST) return;
    gather().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
      (err: Error) =>
        worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, error: err.message }),
    );
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    ready.delete(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      logger.info({ worker: worker.process.pid, code, signal }, 'worker stopped');
      if (Object.keys(cluster.workers ?? {}).length === 0 && pending.size === 0) process.exit(exitCode);
      return;
    }
    failures = lived >= STABLE_MS ? 1 : failures + 1;
    const delayMs = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
    logger.error(
      { worker: worker.process.pid, code, signal, restartInMs: delayMs },
      'worker died; replacing it',
    );
    const timer = setTimeout(() => {
      pending.delete(timer);
      if (!stopping) fork();
    }, delayMs);
    pending.add(timer);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
    logger.info({ signal }, 'stopping workers');
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (alive.length === 0) process.exit(exitCode);
    // Each worker's own SIGTERM handler drains it (as a single `tollgate serve` does).
    for (const w of alive) w.process.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  logger.info({ workers }, 'starting workers');
  // The first worker alone, until it listens: it applies pending migrations (MIGRATE_ON_START), and
  // workers migrating at once queue on Prisma's advisory lock until one of them times out.
  fork();
  cluster.once('listening', () => {
    for (let i = 1; i < workers && !stopping; i++) fork();
  });
}

/**
 * In a worker: offers `registry` to the primary's aggregation, and returns what /metrics should
 * answer — every worker's metrics summed, asked of the primary over IPC, so a scraper sees one view
 * whichever worker its connection lands on.
 */
export function clusterMetricsView(registry: Registry): () => Promise<string> {
  let next = 0;
  const waiting = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();
  process.on('message', (message: { type?: string; id?: number; text?: string; error?: string }) => {
    if (message?.type === METRICS_COLLECT)
      void registry.getMetricsAsJSON().then(
        (metrics) => process.send?.({ type: METRICS_COLLECTED, id: message.id, metrics }),
        (err: unknown) => logger.error({ err }, "reading this worker's metrics failed"),
      );
    if (message?.type !== METRICS_RESPONSE || message.id === undefined) return;
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (!w) return;
    if (message.error !== undefined) w.reject(new Error(`cluster metrics: ${message.error}`));
    else w.resolve(message.text ?? '');
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      // The primary gives up on a silent worker after 5 s; this bounds a primary that never answers.
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('cluster metrics: the primary did not answer'));
      }, 10_000);
      waiting.set(id, {
        resolve(text) {
          clearTimeout(timer);
          resolve(text);
        },
        reject(err) {
          clearTimeout(timer);
          reject(err);
        },
      });
      process.send!({ type: METRICS_REQUEST, id });
    });
}

export const isClusterWorker = () => cluster.isWorker;

/** This worker's cluster id (1, 2, … and a replacement gets the next one). */
export const clusterWorkerId = () => String(cluster.worker?.id ?? '');
