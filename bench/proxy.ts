/**
 * Proxy overhead benchmark: the same open-loop load against the LiteLLM data-plane double directly
 * and through Tollgate's proxy handler, for non-streamed and streamed chat completions, at several
 * offered rates. The double (fixed service time) and the load generator run in their own
 * processes; the gateway runs here so its CPU time per request can be read with process.cpuUsage.
 *
 * Targets: `direct` (baseline), `tollgate` (undici transport, the shipped one, over the in-memory
 * FakeAdmission: the proxy's own overhead), `tollgate-accounted` (the same handler over the real
 * AdmissionService on PostgreSQL + Redis: auth, price, limits, hold, settle, usage record — see
 * bench/lib/full-accounting.ts), `tollgate-node-http` (fake admission over a node:http keep-alive
 * Agent, the transport http-proxy is built on) and `http-proxy` (bare http-proxy pass-through with
 * no metering at all, a floor for that library), `litellm` (the real LiteLLM proxy, pinned, one worker,
 * no database, in front of the same double — bench/lib/litellm-process.ts) and `tollgate→litellm`
 * (full accounting forwarding to that LiteLLM: the deployment the README describes). Where LiteLLM
 * cannot be installed or started, its rows say why and the rest of the bench runs. `serve×N` (N = 1,
 * 2, …) is the shipped `tollgate serve --workers N` in processes of its own (bench/lib/serve-process.ts),
 * its CPU and RSS read from /proc for the primary and every worker, its statements and shared-state
 * calls counted in each of them (bench/lib/serve-counted.ts); `serve×N→litellm` forwards to LiteLLM.
 * Every gateway's resident set size is read at rest and after each rate.
 *
 * Env: BENCH_RATES=50,100,200,500,1000,1500  BENCH_DURATION_MS=6000  BENCH_ROUNDS=3  BENCH_SERVICE_MS=20  BENCH_QUICK=1
 *      BENCH_TARGETS=tollgate,tollgate-accounted (the default; direct always runs; the table follows
 *      this order; add tollgate-node-http,http-proxy for the transport comparison,
 *      litellm,tollgate→litellm for LiteLLM, serve×1,serve×2 for the shipped CLI; `npm run
 *      bench:proxy:full` names them all)
 *      BENCH_LITELLM_MAX_RPS=200: litellm and the targets behind it skip higher offered rates
 *      BENCH_SERVE_REDIS_DB=12: the first serve target's Redis logical database (the next gets 13, …)
 *      BENCH_ADMISSION_MODULE=path.ts exporting `createBenchAdmission(opts): Promise<BenchAdmission>`
 *      for `tollgate-accounted` (default bench/lib/full-accounting.ts, which needs TEST_DATABASE_URL
 *      or BENCH_DATABASE_URL; without one that target is skipped, said so).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import httpProxy from 'http-proxy';
import { loadConfig } from '../src/config.ts';
import { createMetrics } from '../src/http/metrics.ts';
import { Router } from '../src/http/router.ts';
import { createProxyHandler } from '../src/proxy/routes.ts';
import type { UpstreamTransport } from '../src/proxy/upstream.ts';
import { createHttpServer } from '../src/server.ts';
import type { Services } from '../src/services.ts';
import { FakeAdmission } from '../testkit/fake-admission.ts';
import type { BenchAdmission, BenchCounters } from './lib/admission.ts';
import { type LiteLlmProcess, startLiteLlm } from './lib/litellm-process.ts';
import { nodeHttpTransport } from './lib/node-http-transport.ts';
import { procRssBytes, procTree, procTreeCpuUs } from './lib/proc-cpu.ts';
import { startServe } from './lib/serve-process.ts';
import { firstLine } from './lib/child.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

const MASTER = 'sk-bench-master';
const quick = process.env.BENCH_QUICK === '1';
const rates = (process.env.BENCH_RATES ?? (quick ? '200,1000' : '50,100,200,500,1000,1500'))
  .split(',')
  .map(Number);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? (quick ? 2000 : 6000));
const warmupMs = quick ? 300 : 500;
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3));
const serviceMs = Number(process.env.BENCH_SERVICE_MS ?? 20);
const tsx = ['--import', 'tsx'];

function child(script: string, arg: string): ChildProcess {
  return spawn(process.execPath, [...tsx, script, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function fakeAdmission(): BenchAdmission {
  const credential = 'tg-bench-key';
  return {
    admission: new FakeAdmission({ [credential]: { userId: 'usr_bench' } }, MASTER),
    credential,
    label: 'in-memory FakeAdmission (proxy overhead only)',
    close: async () => {},
  };
}

async function accountedAdmission(upstreamUrl: string): Promise<BenchAdmission | null> {
  const mod = process.env.BENCH_ADMISSION_MODULE ?? 'bench/lib/full-accounting.ts';
  if (
    !process.env.BENCH_ADMISSION_MODULE &&
    !process.env.TEST_DATABASE_URL &&
    !process.env.BENCH_DATABASE_URL
  )
    return null;
  const m = await import(new URL(mod, `file://${process.cwd()}/`).href);
  return m.createBenchAdmission({ upstreamUrl, masterKey: MASTER });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Gateway {
  url: string;
  /** Counts requests for CPU µs/req; absent where no HTTP is parsed (tcp-relay). */
  server?: http.Server;
  /**
   * A gateway in other processes (LiteLLM, `tollgate serve`): the CPU of this process and all its
   * descendants is read from /proc, per request sent; its RSS likewise.
   */
  pid?: number;
  /** A cluster primary: it serves nothing itself, so the RSS column's maximum leaves it out. */
  primary?: boolean;
  credential: string;
  counters?: () => Promise<BenchCounters>;
  /** process.memoryUsage() of each of its Node processes, where it can tell (serve×N). */
  memory?: () => Promise<{ pid: number; memory: NodeJS.MemoryUsage }[]>;
  close(): Promise<void>;
}

interface Rss {
  /** The largest serving process (a worker, or the only process), bytes. */
  max: number;
  /** Every process of the target (cluster primary included), bytes. */
  total: number;
  /** In the bench process, which also holds the harness and every in-process target. */
  shared: boolean;
}

function rssOf(g: Gateway): Rss {
  if (!g.pid) {
    const rss = process.memoryUsage.rss();
    return { max: rss, total: rss, shared: true };
  }
  const rss = procTree(g.pid).map(procRssBytes);
  const serving = g.primary ? rss.slice(1) : rss;
  return { max: Math.max(0, ...serving), total: rss.reduce((n, b) => n + b, 0), shared: false };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const fmtRss = (r: Rss) => `${mib(r.max)}${r.shared ? '*' : ''}`;

async function tollgate(
  upstream: string,
  bench: BenchAdmission,
  transport?: UpstreamTransport,
): Promise<Gateway> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    LITELLM_URL: upstream,
    LITELLM_MASTER_KEY: MASTER,
  });
  const metrics = createMetrics();
  const proxy = createProxyHandler({
    config,
    admission: bench.admission,
    metrics,
    ...(transport ? { transport } : {}),
  });
  const router = new Router();
  for (const r of proxy.routes) router.on(r.method, r.pattern, r.handler);
  const server = createHttpServer({ metrics } as Services, router, undefined as never);
  const url = await listen(server);
  return {
    url,
    server,
    credential: bench.credential,
    ...(bench.counters ? { counters: bench.counters } : {}),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await proxy.close();
    },
  };
}

/** The floor of any user-space hop: each client connection piped byte for byte to one upstream connection. */
async function tcpRelay(upstream: string): Promise<Gateway> {
  const target = new URL(upstream);
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const up = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    client.pipe(up).pipe(client);
    const end = () => {
      client.destroy();
      up.destroy();
    };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credential: MASTER,
    close: async () => {
      await new Promise((r) => server.close(r));
    },
  };
}

async function bareHttpProxy(upstream: string): Promise<Gateway> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const proxy = httpProxy.createProxyServer({ target: upstream, agent });
  const server = http.createServer((req, res) => proxy.web(req, res));
  const url = await listen(server);
  return {
    url,
    server,
    credential: MASTER,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      agent.destroy();
    },
  };
}

interface Sample {
  sent: number;
  /** Requests sent including the warm-up. */
  issued: number;
  errors: number;
  elapsedMs: number;
  /** Until the last response of the slice ended (≥ elapsedMs; much more when the target falls behind). */
  totalMs: number;
  latencies: number[];
  ttfbs: number[];
  cpuUs: number;
  handled: number;
  /** Deltas of the admission's outside work over the slice (full accounting only). */
  outside: BenchCounters | null;
}

interface Result {
  ok: number;
  errors: number;
  achievedRps: number;
  p50: number;
  p99: number;
  ttfbP50: number;
  ttfbP99: number;
  cpuUsPerReq: number | null;
  dbQueriesPerReq: number | null;
  redisCallsPerReq: number | null;
  dbCpuUsPerReq: number | null;
}

function pct(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise(samples: Sample[]): Result {
  const latencies = samples.flatMap((s) => s.latencies);
  const ttfbs = samples.flatMap((s) => s.ttfbs);
  const handled = samples.reduce((n, s) => n + s.handled, 0);
  const perReq = (pick: (o: BenchCounters) => number) =>
    handled && samples.every((s) => s.outside)
      ? samples.reduce((n, s) => n + pick(s.outside!), 0) / handled
      : null;
  return {
    ok: latencies.length,
    errors: samples.reduce((n, s) => n + s.errors, 0),
    achievedRps: (latencies.length / samples.reduce((n, s) => n + s.totalMs, 0)) * 1000,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    ttfbP50: pct(ttfbs, 50),
    ttfbP99: pct(ttfbs, 99),
    cpuUsPerReq: handled ? samples.reduce((n, s) => n + s.cpuUs, 0) / handled : null,
    dbQueriesPerReq: perReq((o) => o.dbQueries),
    redisCallsPerReq: perReq((o) => o.redisCalls),
    dbCpuUsPerReq: perReq((o) => o.dbCpuUs),
  };
}

async function run(
  target: {
    url: string;
    credential: string;
    server?: http.Server;
    pid?: number;
    counters?: () => Promise<BenchCounters>;
  },
  stream: boolean,
  rate: number,
  sliceMs: number,
): Promise<Sample> {
  const body = JSON.stringify({
    model: 'gpt-bench',
    messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
    stream,
  });
  let handled = 0;
  const count = () => handled++;
  target.server?.on('request', count);
  const outside0 = await target.counters?.();
  const cpu0 = process.cpuUsage();
  const pidCpu0 = target.pid ? procTreeCpuUs(target.pid) : 0;
  const gen = child(
    'bench/lib/loadgen.ts',
    JSON.stringify({
      url: target.url,
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${target.credential}`, 'content-type': 'application/json' },
      body,
      rate,
      durationMs: sliceMs,
      warmupMs,
      connections: 512,
    }),
  );
  const line = await firstLine(gen);
  const cpu = process.cpuUsage(cpu0);
  const pidCpuUs = target.pid ? procTreeCpuUs(target.pid) - pidCpu0 : 0;
  target.server?.off('request', count);
  const outside1 = await target.counters?.();
  const sample = JSON.parse(line) as Omit<Sample, 'cpuUs' | 'handled' | 'outside'>;
  return {
    ...sample,
    cpuUs: target.pid ? pidCpuUs : cpu.user + cpu.system,
    handled: target.pid ? sample.issued : handled,
    outside:
      outside0 && outside1
        ? {
            dbQueries: outside1.dbQueries - outside0.dbQueries,
            redisCalls: outside1.redisCalls - outside0.redisCalls,
            dbCpuUs: outside1.dbCpuUs - outside0.dbCpuUs,
          }
        : null,
  };
}

const f = (n: number | null, d = 2) => (n === null || Number.isNaN(n) ? '—' : n.toFixed(d));

/** `serve×N` (`tollgate serve --workers N` on the double) and `serve×N→litellm` (on LiteLLM). */
const SERVE = /^serve×([1-9]\d?)(→litellm)?$/;
const KNOWN = [
  'direct',
  'tollgate',
  'tollgate-accounted',
  'tollgate-node-http',
  'http-proxy',
  'tcp-relay',
  'litellm',
  'tollgate→litellm',
];
/** Targets in front of or behind LiteLLM: one LiteLLM worker keeps up with ~60–130 req/s here. */
const behindLitellm = (name: string) => name === 'litellm' || name.endsWith('→litellm');
const litellmMaxRps = Number(process.env.BENCH_LITELLM_MAX_RPS ?? 200);

async function main() {
  const began = Date.now();
  const cpus = os.cpus();
  print(
    `# Proxy benchmark — ${cpus.length}× ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join('/')}`,
  );
  print(
    `# double service time ${serviceMs} ms (stream: TTFB ${serviceMs} ms, 5 chunks + usage chunk), ${durationMs} ms per target and rate in ${rounds} interleaved slices, each after ${warmupMs} ms warm-up, open loop`,
  );
  const doubleProc = child(
    'bench/lib/double-process.ts',
    JSON.stringify({ masterKey: MASTER, serviceTimeMs: serviceMs, ttfbMs: serviceMs }),
  );
  const upstream = `http://127.0.0.1:${(await firstLine(doubleProc)).split(' ')[1]}`;
  const only = (process.env.BENCH_TARGETS ?? 'tollgate,tollgate-accounted')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of only) if (!KNOWN.includes(n) && !SERVE.test(n)) print(`# unknown target ${n}: ignored`);
  const fake = fakeAdmission();
  const accounted =
    only.includes('tollgate-accounted') || only.includes('tollgate→litellm')
      ? await accountedAdmission(upstream)
      : null;
  const gateways: Record<string, Gateway> = {
    direct: { url: upstream, credential: MASTER, close: async () => {} },
  };
  const cleanups: (() => Promise<void>)[] = [];
  /** Targets asked for that could not run, with the reason their rows print. */
  const unavailable: Record<string, string> = {};
  try {
    if (only.includes('tollgate')) gateways.tollgate = await tollgate(upstream, fake);
    if (accounted) cleanups.push(() => accounted.close());
    if (accounted && only.includes('tollgate-accounted'))
      gateways['tollgate-accounted'] = await tollgate(upstream, accounted);
    else if (only.includes('tollgate-accounted'))
      print('# tollgate-accounted skipped: set TEST_DATABASE_URL or BENCH_DATABASE_URL (npm run bench does)');
    if (only.includes('tollgate-node-http'))
      gateways['tollgate-node-http'] = await tollgate(upstream, fake, nodeHttpTransport(upstream, 256));
    if (only.includes('http-proxy')) gateways['http-proxy'] = await bareHttpProxy(upstream);
    if (only.includes('tcp-relay')) gateways['tcp-relay'] = await tcpRelay(upstream);
    let litellm: LiteLlmProcess | null = null;
    if (only.some((n) => behindLitellm(n))) {
      try {
        litellm = await startLiteLlm({ upstream, model: 'gpt-bench', masterKey: MASTER });
      } catch (e) {
        const why = `litellm unavailable: ${(e as Error).message}`;
        for (const n of only) if (behindLitellm(n)) unavailable[n] = why;
      }
      if (litellm) {
        const lite = litellm;
        cleanups.push(() => lite.close());
        if (only.includes('litellm'))
          gateways.litellm = { url: lite.url, pid: lite.pid, credential: MASTER, close: async () => {} };
        if (only.includes('tollgate→litellm')) {
          if (accounted) gateways['tollgate→litellm'] = await tollgate(lite.url, accounted);
          else
            unavailable['tollgate→litellm'] =
              'skipped: its accounting needs TEST_DATABASE_URL or BENCH_DATABASE_URL';
        }
      }
    }
    // Each serve target on a Redis database of its own (bench/lib/serve-process.ts says why).
    let redisDb = Number(process.env.BENCH_SERVE_REDIS_DB ?? 12);
    for (const name of only) {
      const m = SERVE.exec(name);
      if (!m || unavailable[name]) continue;
      const workers = Number(m[1]);
      try {
        const served = await startServe({
          upstreamUrl: m[2] ? litellm!.url : upstream,
          masterKey: MASTER,
          workers,
          redisDb: redisDb++,
        });
        gateways[name] = {
          url: served.url,
          pid: served.pid,
          primary: workers > 1,
          credential: served.credential,
          counters: served.counters,
          memory: served.memory,
          close: served.close,
        };
      } catch (e) {
        unavailable[name] = `serve unavailable: ${(e as Error).message}`;
      }
    }
    // The table in the order BENCH_TARGETS names them, `direct` first.
    const order = ['direct', ...only.filter((n) => n !== 'direct')].filter((n) => gateways[n]);
    const targets = order.map((n) => [n, gateways[n]!] as const);

    print(`# tollgate, tollgate-node-http: ${fake.label}`);
    if (accounted) print(`# tollgate-accounted, tollgate→litellm: ${accounted.label}`);
    if (targets.some(([n]) => SERVE.test(n)))
      print(
        '# serve×N: the shipped `tollgate serve --workers N` (src/cli.ts as bin/tollgate.js starts it, plus the counters of bench/lib/serve-counted.ts) in its own process group, NODE_ENV=production, outbox, sweeps and settlement journal as in production, LITELLM_SYNC_MODE=none; its own fresh PostgreSQL database (the pool per worker as above) and Redis database, seeded as tollgate-accounted is (one org, its key, one price rule, a funded wallet); serve×1 is one process, serve×2 a cluster primary and two workers; serve×N→litellm forwards to the LiteLLM below',
      );
    if (gateways.litellm || gateways['tollgate→litellm'])
      print(
        '# litellm: the real LiteLLM proxy (scripts/litellm-proxy.sh), one worker, no database; its CPU µs/req is its process tree per request sent',
      );
    if (targets.some(([n]) => behindLitellm(n)))
      print(
        `# litellm and the targets behind it run at offered rates up to BENCH_LITELLM_MAX_RPS=${litellmMaxRps} only: one LiteLLM worker keeps up with ~60–130 req/s here, and above that its open-loop queue would outlast the run`,
      );
    for (const [name, why] of Object.entries(unavailable)) print(`# ${name}: ${why}`);
    print(
      "# added = target − direct (same rate, interleaved slices); achieved rps = responses / time until the last one ended; rps ratio = achieved rps / direct achieved rps; vs litellm = achieved rps / litellm achieved rps; CPU µs/req = the in-process gateways' bench process (process.cpuUsage), or for litellm and serve×N the target's whole process tree (primary and workers, from /proc) per request sent, warm-up included; DB q/req = PostgreSQL round trips per request (serve×N: summed over its processes); state calls/req = SharedState (Redis) calls per request (a call with nothing to do makes no round trip); PG CPU µs/req = CPU of this target's database's PostgreSQL backends",
    );
    print(
      "# RSS MiB = resident set (VmRSS) at the end of the rate's slices of the largest serving process (serve×2: the larger worker; serve×1, litellm: the one process); RSS total MiB = every process of the target (serve×2: primary + workers); * = the bench process itself, which holds every in-process target (tollgate, tollgate-accounted, tollgate→litellm) and the harness",
    );
    const rest = targets
      .filter(([n]) => n !== 'direct')
      .map(([n, g]) => {
        const r = rssOf(g);
        return `${n} ${fmtRss(r)}${r.total !== r.max ? ` (total ${mib(r.total)})` : ''}`;
      });
    print(`# RSS at rest (MiB, before the first request): ${rest.join('; ')}`);
    // Where a Node gateway's resident memory goes: V8 heap, and outside it (Prisma's WASM engine, buffers).
    const heaps: [string, { memory: NodeJS.MemoryUsage }[]][] = [
      ['bench process*', [{ memory: process.memoryUsage() }]],
    ];
    for (const [n, g] of targets) if (g.memory) heaps.push([n, await g.memory()]);
    print(
      `# memory at rest (MiB: rss = heap used / heap total + external, of which array buffers): ${heaps
        .map(
          ([n, ps]) =>
            `${n} ${ps.map(({ memory: m }) => `${mib(m.rss)} = ${mib(m.heapUsed)}/${mib(m.heapTotal)} + ${mib(m.external)} (${mib(m.arrayBuffers)})`).join(', ')}`,
        )
        .join('; ')}`,
    );
    // One untimed pass per target first, so the first table does not carry JIT and pool warm-up.
    for (const [name, g] of targets)
      if (name !== 'direct') for (const stream of [false, true]) await run(g, stream, 100, 1500);
    for (const stream of [false, true]) {
      print(`\n## ${stream ? 'streamed' : 'non-streamed'} chat completions`);
      print(
        '| offered rps | target | achieved rps | rps ratio | vs litellm | p50 ms | p99 ms | added p50 | added p99 | TTFB p50 | added TTFB p50 | added TTFB p99 | CPU µs/req | DB q/req | state calls/req | PG CPU µs/req | RSS MiB | RSS total MiB | errors |',
      );
      print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
      for (const rate of rates) {
        const active = targets.filter(([n]) => rate <= litellmMaxRps || !behindLitellm(n));
        // Targets take turns in short slices, so drifting load from other processes hits them alike.
        const samples: Record<string, Sample[]> = Object.fromEntries(active.map(([n]) => [n, []]));
        for (let round = 0; round < rounds; round++)
          for (const [name, g] of active)
            samples[name]!.push(await run(g, stream, rate, durationMs / rounds));
        const base = summarise(samples.direct!);
        const lite = samples.litellm ? summarise(samples.litellm) : null;
        for (const [name, g] of active) {
          const r = summarise(samples[name]!);
          const direct = name === 'direct';
          const added = (a: number, b: number) => (direct ? '—' : f(a - b));
          const addedTtfb = (a: number, b: number) => (direct || !stream ? '—' : f(a - b));
          const rss = direct ? null : rssOf(g);
          print(
            `| ${rate} | ${name} | ${f(r.achievedRps, 0)} | ${direct ? '—' : f(r.achievedRps / base.achievedRps)} | ${lite && name !== 'litellm' ? f(r.achievedRps / lite.achievedRps) : '—'} | ${f(r.p50)} | ${f(r.p99)} | ${added(r.p50, base.p50)} | ${added(r.p99, base.p99)} | ${f(r.ttfbP50)} | ${addedTtfb(r.ttfbP50, base.ttfbP50)} | ${addedTtfb(r.ttfbP99, base.ttfbP99)} | ${direct ? '—' : f(r.cpuUsPerReq, 0)} | ${f(r.dbQueriesPerReq, 1)} | ${f(r.redisCallsPerReq, 1)} | ${f(r.dbCpuUsPerReq, 0)} | ${rss ? fmtRss(rss) : '—'} | ${rss ? mib(rss.total) : '—'} | ${r.errors} |`,
          );
        }
        for (const [name] of targets)
          if (!active.some(([n]) => n === name))
            print(
              `| ${rate} | ${name} | skipped: above BENCH_LITELLM_MAX_RPS=${litellmMaxRps} |${' — |'.repeat(16)}`,
            );
        for (const [name, why] of Object.entries(unavailable))
          print(`| ${rate} | ${name} | ${why} |${' — |'.repeat(16)}`);
      }
    }
    print(
      `\n# load at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join('/')}, run took ${((Date.now() - began) / 60_000).toFixed(1)} min`,
    );
  } finally {
    // Every close runs even if one fails: a serve target left running would outlive the bench.
    for (const close of [...Object.values(gateways).map((g) => g.close), ...cleanups])
      await close().catch((e: Error) => process.stderr.write(`# cleanup failed: ${e.message}\n`));
    doubleProc.kill('SIGTERM');
  }
}

await main();
process.exit(0);
