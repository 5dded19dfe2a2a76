/**
 * PostgreSQL work per settled request at a paced rate, through the real admission only (no HTTP
 * server, no upstream, no load generator: on a shared machine their CPU would decide whether the
 * gateway keeps up, and with it how postings batch). Each tick of 10 ms admits rate/100 requests;
 * each settles SETTLEMENT_BENCH_UPSTREAM_MS (20) later, as if upstream had answered; then every
 * posting is awaited. Reports, per request: PostgreSQL statements (round trips), CPU of the
 * database's backends, this process's CPU; and the achieved rate (a process that cannot keep up
 * batches more, so read the statements with it).
 *
 *   npx tsx bench/settlement.ts     SETTLEMENT_BENCH_RATES=200,500,1000 SETTLEMENT_BENCH_SECONDS=3
 */
import os from 'node:os';
import type { Outcome, ProxyRequestInfo } from '../src/admission/port.ts';
import { BENCH_MODEL, createBenchAdmission } from './lib/full-accounting.ts';

const RATES = (process.env.SETTLEMENT_BENCH_RATES ?? '200,500,1000').split(',').map(Number);
const SECONDS = Number(process.env.SETTLEMENT_BENCH_SECONDS ?? 3);
const UPSTREAM_MS = Number(process.env.SETTLEMENT_BENCH_UPSTREAM_MS ?? 20);
const print = (line: string) => process.stdout.write(`${line}\n`);

const bench = await createBenchAdmission({ upstreamUrl: 'http://127.0.0.1:9', masterKey: 'sk-unused' });
const { admission } = bench;
const counters = bench.counters;
if (!counters) throw new Error('full accounting reports no counters');
const principal = await admission.authenticate(bench.credential);
const outcome: Outcome = {
  status: 'succeeded',
  httpStatus: 200,
  usage: { promptTokens: 6, completionTokens: 20, cachedTokens: 0, totalTokens: 26 },
  estimated: false,
  modelServed: BENCH_MODEL,
  latencyMs: 20,
};
let n = 0;
const info = (): ProxyRequestInfo => ({
  requestId: `settle-bench-${process.pid}-${++n}`,
  requestIdFromClient: false,
  endpoint: '/v1/chat/completions',
  credential: null,
  body: { model: BENCH_MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 60 },
  stream: false,
  promptTextForEstimate: 'hi',
  promptTokensEstimate: 6,
  maxTokens: 60,
  maxTokensForEstimate: 60,
  clientUser: null,
});

async function one(): Promise<void> {
  const admitted = await admission.admit(principal, info());
  await new Promise((resolve) => setTimeout(resolve, UPSTREAM_MS));
  await admission.settle(admitted.ticket, outcome).posted;
}

/** `rate` requests per second for `seconds`, started in ticks of 10 ms; resolves once all are posted. */
async function paced(rate: number, seconds: number): Promise<{ requests: number; elapsedMs: number }> {
  const all: Promise<void>[] = [];
  const perTick = rate / 100;
  const start = performance.now();
  let owed = 0;
  for (let tick = 0; tick < seconds * 100; tick++) {
    owed += perTick;
    for (; owed >= 1; owed--) all.push(one());
    const next = start + (tick + 1) * 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(all);
  return { requests: all.length, elapsedMs: performance.now() - start };
}

print('# Settlement benchmark — admission only (admit, 20 ms, settle, posting), PostgreSQL work per request');
print(
  `# ${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join('/')}; ${bench.label}; SETTLEMENT_LINGER_MS=${process.env.SETTLEMENT_LINGER_MS ?? 'default'}`,
);
// Warm-up: opens the lease, prepares the statements.
await paced(100, 1);
print('');
print('| offered rps | requests | achieved rps | DB q/req | PG CPU µs/req | gateway CPU µs/req |');
print('|---:|---:|---:|---:|---:|---:|');
for (const rate of RATES) {
  const before = await counters();
  const cpu0 = process.cpuUsage();
  const r = await paced(rate, SECONDS);
  const cpu = process.cpuUsage(cpu0);
  const after = await counters();
  const per = (x: number) => x / r.requests;
  print(
    `| ${rate} | ${r.requests} | ${Math.round(r.requests / (r.elapsedMs / 1000))} | ${per(after.dbQueries - before.dbQueries).toFixed(2)} | ${Math.round(per(after.dbCpuUs - before.dbCpuUs))} | ${Math.round(per(cpu.user + cpu.system))} |`,
  );
}
await bench.close();
process.exit(0);
