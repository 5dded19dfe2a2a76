/**
 * The shipped gateway as a benchmark target: `tollgate serve --workers N` in its own process group
 * (bench/lib/serve-counted.ts, i.e. src/cli.ts as bin/tollgate.js starts it, plus counters), on a
 * fresh migrated PostgreSQL database seeded like the in-process accounted target
 * (full-accounting.ts: seedBenchTenant), Redis, NODE_ENV=production, LITELLM_SYNC_MODE=none and
 * everything else (outbox, sweeps, leases, settlement journal) at its production default.
 *
 * Redis: each serve target gets a Redis logical database of its own (BENCH_SERVE_REDIS_DB, default
 * 12, then 13, …, on the TEST_REDIS_URL / BENCH_REDIS_URL server), because the gateway's keys are not
 * per tenant (`tollgate:sj:replicas` lists every process's settlement journal, and a process takes
 * over the journal of one that died): two gateways on different PostgreSQL databases must not share
 * them. The bench deletes that Redis database's `tollgate:*` keys before and after, nothing else.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchStart } from './child.ts';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openSharedState } from '../../src/infra/redis-shared-state.ts';
import type { BenchAdmissionOptions, BenchCounters } from './admission.ts';
import {
  benchAdminUrl,
  benchGatewayEnv,
  databaseCpuMeter,
  openBenchDatabase,
  seedBenchTenant,
} from './full-accounting.ts';
import { freePort } from './free-port.ts';
import { procTree } from './proc-cpu.ts';

export interface ServeProcess {
  url: string;
  /** The `tollgate serve` process (the cluster primary when workers > 1). */
  pid: number;
  credential: string;
  /** PostgreSQL queries and shared-state calls summed over every live process, and PG backend CPU. */
  counters(): Promise<BenchCounters>;
  /** process.memoryUsage() of each live process, by pid (the cluster primary first). */
  memory(): Promise<{ pid: number; memory: NodeJS.MemoryUsage }[]>;
  close(): Promise<void>;
}

/** The answering worker's id (`x-tollgate-worker`, '' for a single process), on a new connection each time. */
function probe(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? String(res.headers['x-tollgate-worker'] ?? '') : null);
    });
    req.once('error', () => resolve(null));
    req.setTimeout(2_000, () => req.destroy());
  });
}

interface ProcessCounters {
  dbQueries: number;
  stateCalls: number;
  memory: NodeJS.MemoryUsage;
}

function readCounter(path: string): Promise<ProcessCounters | null> {
  return new Promise((resolve) => {
    let buf = '';
    const s = net.connect(path);
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
    });
    s.once('end', () => {
      try {
        resolve(JSON.parse(buf));
      } catch {
        resolve(null);
      }
    });
    // No socket: a process that is not ours (none expected) or one still starting, counted as 0.
    s.once('error', () => resolve(null));
  });
}

async function deleteGatewayKeys(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'tollgate:*', 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Live serve process groups and their close(), killed outright if the bench exits without closing them. */
const live = new Map<number, () => Promise<void>>();
let guarded = false;
/** Ctrl-C reaches the terminal's process group, not these: without this they would outlive the bench. */
function guardExit() {
  if (guarded) return;
  guarded = true;
  process.once('exit', () => {
    for (const pgid of live.keys())
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
  });
  // A signal's default action ends the process without 'exit' handlers. Closed as at the end of a
  // run (drained, database dropped, Redis keys deleted) if that takes under 30 s, else killed.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      const closing = Promise.allSettled([...live.values()].map((close) => close()));
      void Promise.race([closing, sleep(30_000)]).finally(() => process.exit(130));
    });
}

export async function startServe(
  opts: BenchAdmissionOptions & { workers: number; redisDb: number; startTimeoutMs?: number },
): Promise<ServeProcess> {
  const redisBase = process.env.TEST_REDIS_URL ?? process.env.BENCH_REDIS_URL;
  if (!benchAdminUrl()) throw new Error('needs TEST_DATABASE_URL or BENCH_DATABASE_URL');
  if (!redisBase) throw new Error('needs TEST_REDIS_URL or BENCH_REDIS_URL (workers share state in Redis)');
  const redis = new URL(redisBase);
  redis.pathname = `/${opts.redisDb}`;
  const redisUrl = redis.toString();
  await deleteGatewayKeys(redisUrl);

  const database = await openBenchDatabase('tollgate_bench_serve');
  const gatewayEnv = { ...benchGatewayEnv(opts), DATABASE_URL: database.url!, REDIS_URL: redisUrl };
  // Seeded through the same services the gateway will run, then closed before it starts.
  const seeder = await createApp(loadConfig({ ...gatewayEnv, OUTBOX_ENABLED: 'false' }), {
    database,
    state: openSharedState(redisUrl),
  });
  const { apiKey } = await seedBenchTenant(seeder.services).finally(() => seeder.close());
  const readDbCpu = databaseCpuMeter(database);

  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-serve-'));
  const port = await freePort();
  // Only what a deployment would set: nothing of the bench's own environment leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...gatewayEnv,
    HOST: '127.0.0.1',
    PORT: String(port),
    BENCH_COUNTER_DIR: dir,
  };
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/lib/serve-counted.ts', 'serve', '--workers', String(opts.workers)],
    // Its own process group: the last-resort kill reaches the workers too.
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const started = watchStart(proc);
  const pid = proc.pid!;
  guardExit();
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let closing: Promise<void> | null = null;
  // Once: a signal may arrive while the run's own close is under way, and must wait for it.
  const close = () => (closing ??= stop());
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      // The graceful path first (the primary drains every worker), as a deployment stops it.
      proc.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!stopped) {
        process.stderr.write(`# serve×${opts.workers} did not stop within 20 s of SIGTERM; killed\n`);
        process.kill(-pid, 'SIGKILL');
        await exited;
      }
    }
    live.delete(pid);
    rmSync(dir, { recursive: true, force: true });
    await deleteGatewayKeys(redisUrl).catch(() => {});
    await database.close();
  };

  live.set(pid, close);
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  // Ready when every worker has answered (the cluster hands new connections out round-robin).
  const workersSeen = new Set<string>();
  while (workersSeen.size < opts.workers) {
    const w = await probe(url);
    if (w !== null) workersSeen.add(w);
    if (workersSeen.size >= opts.workers) break;
    const why = started.failure(
      Date.now() > deadline
        ? `${workersSeen.size} of ${opts.workers} workers answering after ${timeoutMs} ms`
        : null,
    );
    if (why) {
      await close();
      throw new Error(why);
    }
    await sleep(100);
  }
  await readDbCpu();

  return {
    url,
    pid,
    credential: apiKey,
    async counters() {
      const counts = await Promise.all(procTree(pid).map((p) => readCounter(join(dir, `${p}.sock`))));
      const dbCpuUs = await readDbCpu();
      return {
        dbQueries: counts.reduce((n, c) => n + (c?.dbQueries ?? 0), 0),
        redisCalls: counts.reduce((n, c) => n + (c?.stateCalls ?? 0), 0),
        dbCpuUs,
      };
    },
    async memory() {
      const tree = procTree(pid);
      const counts = await Promise.all(tree.map((p) => readCounter(join(dir, `${p}.sock`))));
      return tree.flatMap((p, i) => (counts[i] ? [{ pid: p, memory: counts[i]!.memory }] : []));
    },
    close,
  };
}
