/**
 * Open-loop load generator, run as its own process so it never shares the gateway's event loop.
 * Sends `rate` requests/s for `durationMs` (after a warm-up), each on an undici Pool, and reports
 * every latency (last byte) and TTFB (first body byte) in ms as one JSON line on stdout, with the
 * send time (`elapsedMs`) and the time until the last response ended (`totalMs`).
 *   tsx bench/lib/loadgen.ts '<json options>'
 */
import { Pool } from 'undici';

interface Options {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  rate: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
}

const opts = JSON.parse(process.argv[2]!) as Options;
const pool = new Pool(opts.url, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 4_000 });

const latencies: number[] = [];
const ttfbs: number[] = [];
let errors = 0;
let sent = 0;
/** Every request, warm-up included: what a gateway in another process served while its CPU was read. */
let issued = 0;
let inflightMax = 0;
let inflight = 0;

async function one(record: boolean) {
  const start = performance.now();
  inflight++;
  inflightMax = Math.max(inflightMax, inflight);
  try {
    const res = await pool.request({
      method: 'POST',
      path: opts.path,
      headers: opts.headers,
      body: opts.body,
    });
    let first = 0;
    for await (const _ of res.body) if (!first) first = performance.now();
    const end = performance.now();
    if (res.statusCode !== 200) errors++;
    else if (record) {
      latencies.push(end - start);
      ttfbs.push((first || end) - start);
    }
  } catch {
    errors++;
  } finally {
    inflight--;
  }
}

async function phase(durationMs: number, record: boolean) {
  const interval = 1000 / opts.rate;
  const begin = performance.now();
  const pending: Promise<void>[] = [];
  let n = 0;
  while (performance.now() - begin < durationMs) {
    const due = begin + n * interval;
    const wait = due - performance.now();
    // Always yield, or at ≥ 1,000 req/s (interval ≤ 1 ms) this loop would starve the responses.
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else await new Promise((r) => setImmediate(r));
    // Open loop: send everything that is due now, even if earlier requests are still running.
    while (begin + n * interval <= performance.now() && performance.now() - begin < durationMs) {
      pending.push(one(record));
      n++;
      issued++;
      if (record) sent++;
    }
  }
  const elapsed = performance.now() - begin;
  await Promise.all(pending);
  return elapsed;
}

await phase(opts.warmupMs, false);
const measuredStart = performance.now();
const elapsed = await phase(opts.durationMs, true);
// Until the last measured response ended: throughput is what completed in this time, so a target
// that falls behind shows it even though the open loop kept sending at the offered rate.
const totalMs = performance.now() - measuredStart;
process.stdout.write(
  `${JSON.stringify({ sent, issued, errors, elapsedMs: elapsed, totalMs, inflightMax, latencies: latencies.map((v) => Math.round(v * 1000) / 1000), ttfbs: ttfbs.map((v) => Math.round(v * 1000) / 1000) })}\n`,
);
await pool.close();
