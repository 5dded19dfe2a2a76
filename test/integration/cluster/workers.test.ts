import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, openThrowawayPostgres, requirePostgresUrl } from '../../helpers/db.ts';
import { type GatewayProcess, runCli, startGatewayProcess } from '../../helpers/gateway-process.ts';

/** One request on its own connection (no keep-alive), so the cluster may hand it to any worker. */
function get(url: string): Promise<{ status: number; worker: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode!, worker: String(res.headers['x-tollgate-worker']), body }),
        );
      })
      .on('error', reject);
  });
}

/** Polls `probe` until it returns a value (not undefined), or fails after `ms`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20)); // a polling interval, not a wait for the condition
  }
}

/** Worker id → pid, from the workers' "tollgate listening" log lines. */
function workerPids(gateway: GatewayProcess): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of gateway.logs()) {
    if (!line.includes('"tollgate listening"')) continue;
    const { worker, pid } = JSON.parse(line) as { worker?: string; pid?: number };
    if (worker !== undefined && pid !== undefined) pids.set(worker, pid);
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tollgate serve --workers', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await openThrowawayPostgres(requirePostgresUrl(), { poolSize: 1, prefix: 'tollgate_workers' });
    const redis = process.env.TEST_REDIS_URL;
    if (!redis) throw new Error('TEST_REDIS_URL is not set');
    // Its own logical Redis database: the gateway's keys are not prefixed like the tests' own.
    env = { DATABASE_URL: db.url!, REDIS_URL: `${redis.replace(/\/\d*$/, '')}/11` };
  });
  afterAll(async () => {
    await db?.close();
  });

  it('spreads requests over 2 workers, sums their metrics, replaces a killed worker and drains all on SIGTERM', async () => {
    const gateway = await startGatewayProcess(env, ['--workers', '2']);
    try {
      const seen = new Map<string, number>();
      let healthz = 0;
      await until('both workers answering', async () => {
        const r = await get(`${gateway.url}/healthz`);
        expect(r.status).toBe(200);
        healthz++;
        seen.set(r.worker, (seen.get(r.worker) ?? 0) + 1);
        return seen.size >= 2 ? true : undefined;
      });
      expect([...seen.keys()].sort()).toEqual(['1', '2']);

      // One /metrics view: the counter is the sum over both workers, whichever worker answers.
      const metrics = await get(`${gateway.url}/metrics`);
      expect(metrics.status).toBe(200);
      const line = metrics.body
        .split('\n')
        .find((l) => l.startsWith('tollgate_http_requests_total{') && l.includes('route="/healthz"'));
      expect(line, metrics.body.slice(0, 2000)).toBeDefined();
      expect(Number(line!.split(' ').at(-1))).toBe(healthz);

      const pids = await until('both workers logged their pid', async () =>
        workerPids(gateway).size >= 2 ? workerPids(gateway) : undefined,
      );
      const victim = pids.get('1')!;
      process.kill(victim, 'SIGKILL');
      await until('the killed worker gone', async () => (alive(victim) ? undefined : true));
      // While its replacement starts (it answers the primary before its app is built), one view still.
      await until('the replacement forked', async () =>
        gateway.logs().some((l) => l.includes('"worker started"') && l.includes('"worker":"3"'))
          ? true
          : undefined,
      );
      const during = await get(`${gateway.url}/metrics`);
      expect(during.status).toBe(200);
      expect(during.body).toContain('tollgate_http_requests_total');

      // The primary forks a replacement (worker 3), and requests are answered all along.
      const answeredBy = new Set<string>();
      await until('a replacement worker answering', async () => {
        const r = await get(`${gateway.url}/healthz`);
        expect(r.status).toBe(200);
        answeredBy.add(r.worker);
        return answeredBy.has('3') ? true : undefined;
      });
      expect(answeredBy.has('1')).toBe(false);
      expect(gateway.logs().some((l) => l.includes('"worker died; replacing it"'))).toBe(true);
      expect(gateway.alive()).toBe(true);

      const workers = [...workerPids(gateway).values()].filter(alive);
      expect(workers).toHaveLength(2);
      expect(await gateway.stop()).toBe(0);
      expect(workers.filter(alive)).toEqual([]);
      expect(gateway.logs().filter((l) => l.includes('"worker stopped"'))).toHaveLength(2);
    } finally {
      await gateway.stop();
    }
  }, 120_000);

  it('refuses more than one worker without REDIS_URL, at start, with exit code 78', async () => {
    const r = await runCli(['serve', '--workers', '2'], { DATABASE_URL: db.url! });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('REDIS_URL');
    expect(r.stderr).not.toContain('DATABASE_URL (');
  });

  it('refuses more than one worker on the embedded database (TOLLGATE_WORKERS), exit code 78', async () => {
    const r = await runCli(['serve'], { TOLLGATE_WORKERS: '2', REDIS_URL: env.REDIS_URL! });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('DATABASE_URL (the embedded database is single-process)');
  });

  it('refuses a --workers that is neither a count nor auto, exit code 2', async () => {
    const r = await runCli(['serve', '--workers', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tollgate serve: --workers must be a whole number from 1 or 'auto'/);
  });
});
