/**
 * The settlement journal's share of a request's own time, measured without the proxy or load
 * generator (whose queueing swamps a millisecond on a busy machine): one request at a time through
 * the real admission (bench/lib/full-accounting.ts: PostgreSQL and Redis), timing `admit` (what the
 * request waits before it is forwarded) and `settle` until `journaled` (what the answer waits
 * after upstream answered), and this process's CPU per request. Between the two, an untimed pause
 * of ANSWER_BENCH_UPSTREAM_MS (default 1) stands for upstream's own time, during which replies to
 * what admission sent but did not wait for arrive. Postings are awaited between requests, untimed.
 * Compare builds by running this in each, alternately (docs/benchmarks.md).
 *
 *   npx tsx bench/answer-path.ts        ANSWER_BENCH_REQUESTS=2000 npx tsx bench/answer-path.ts
 */
import { performance } from 'node:perf_hooks';
import type { Outcome, ProxyRequestInfo } from '../src/admission/port.ts';
import { BENCH_MODEL, createBenchAdmission } from './lib/full-accounting.ts';

const REQUESTS = Number(process.env.ANSWER_BENCH_REQUESTS ?? 1000);
const WARMUP = Math.min(200, Math.floor(REQUESTS / 5));
const UPSTREAM_MS = Number(process.env.ANSWER_BENCH_UPSTREAM_MS ?? 1);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const bench = await createBenchAdmission({ upstreamUrl: 'http://127.0.0.1:9', masterKey: 'sk-unused' });
const { admission } = bench;
const principal = await admission.authenticate(bench.credential);
const outcome: Outcome = {
  status: 'succeeded',
  httpStatus: 200,
  usage: { promptTokens: 6, completionTokens: 20, cachedTokens: 0, totalTokens: 26 },
  estimated: false,
  modelServed: BENCH_MODEL,
  latencyMs: 20,
};
const admitMs: number[] = [];
const answerMs: number[] = [];
let cpuUs = 0;
for (let i = 0; i < WARMUP + REQUESTS; i++) {
  const info: ProxyRequestInfo = {
    requestId: `answer-bench-${process.pid}-${i}`,
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
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const admitted = await admission.admit(principal, info);
  const t1 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, UPSTREAM_MS));
  const t1Settle = performance.now();
  const priced = admission.settle(admitted.ticket, outcome);
  await priced.journaled;
  const t2 = performance.now();
  await priced.posted;
  const cpu = process.cpuUsage(cpu0);
  if (i < WARMUP) continue;
  admitMs.push(t1 - t0);
  answerMs.push(t2 - t1Settle);
  // The pause's CPU counts too: a reply that lands in it is the request's work.
  cpuUs += cpu.user + cpu.system;
}
const f = (x: number) => x.toFixed(3);
process.stdout.write(
  `answer-path ${JSON.stringify({
    requests: REQUESTS,
    admitP50: f(pct(admitMs, 50)),
    admitP99: f(pct(admitMs, 99)),
    settleToJournaledP50: f(pct(answerMs, 50)),
    settleToJournaledP99: f(pct(answerMs, 99)),
    cpuUsPerRequest: Math.round(cpuUs / REQUESTS),
  })}\n`,
);
await bench.close();
process.exit(0);
