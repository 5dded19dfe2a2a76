/**
 * Summarises a V8 CPU profile of the proxy bench (issue 21): the top functions by self and total
 * time, and the same by file or package, over the load only — the samples between the first and
 * the last one under the proxy's request handler (src/proxy/inference.ts `handle`), so start-up
 * (migrations, module compilation) and the wind-down are left out. Idle samples are counted in
 * the window but not in the percentages, which are shares of the busy time.
 *
 *   BENCH_TARGETS=tollgate-accounted BENCH_RATES=300 BENCH_ROUNDS=1 \
 *     node --cpu-prof --cpu-prof-dir=.tmp/prof --cpu-prof-interval 250 --import tsx bench/proxy.ts
 *   npx tsx bench/lib/cpu-profile-summary.ts .tmp/prof/<largest>.cpuprofile [requests] [top]
 *
 * With `requests` (how many the gateway served in the window: achieved rps × seconds × slices),
 * each row also says µs per request. Sampled wall time on the main thread: a system call that is
 * descheduled on a loaded machine counts in full, so compare shares within one profile, and CPU
 * per request with the bench's own column (process.cpuUsage).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, requestsArg, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [requests] [top]');
const requests = requestsArg ? Number(requestsArg) : 0;
const top = Number(topArg ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const underHandler = new Map<number, boolean>();
const isUnderHandler = (id: number): boolean => {
  const known = underHandler.get(id);
  if (known !== undefined) return known;
  const f = byId.get(id)!.callFrame;
  const up = parent.get(id);
  const v =
    (f.functionName === 'handle' && f.url.includes('proxy/inference')) ||
    (up !== undefined && isUnderHandler(up));
  underHandler.set(id, v);
  return v;
};
let first = -1;
let last = -1;
p.samples.forEach((s, i) => {
  if (!isUnderHandler(s)) return;
  if (first < 0) first = i;
  last = i;
});
if (first < 0) throw new Error('no sample under the proxy handler: was the gateway profiled under load?');
const samples = p.samples.slice(first, last + 1);
const deltas = p.timeDeltas.slice(first, last + 1);
const windowUs = deltas.reduce((a, b) => a + b, 0);
const usPerSample = windowUs / samples.length;

const fnKey = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(src|bench|testkit|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
};
const fileKey = (n: ProfileNode) => {
  const { functionName, url } = n.callFrame;
  if (!url) return `(${functionName.replace(/[()]/g, '')})`;
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  return url.replace(/^file:\/\/.*?\/(src|bench|testkit)\//, '$1/');
};

const self = new Map<string, number>();
const total = new Map<string, number>();
const fileSelf = new Map<string, number>();
const fileTotal = new Map<string, number>();
let idle = 0;
const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
for (const s of samples) {
  const leaf = byId.get(s)!;
  if (leaf.callFrame.functionName === '(idle)') {
    idle++;
    continue;
  }
  add(self, fnKey(leaf));
  add(fileSelf, fileKey(leaf));
  const seen = new Set<string>();
  const seenFiles = new Set<string>();
  for (let x: number | undefined = s; x !== undefined; x = parent.get(x)) {
    const n = byId.get(x)!;
    if (n.callFrame.functionName === '(root)') break;
    const k = fnKey(n);
    const f = fileKey(n);
    if (!seen.has(k)) {
      add(total, k);
      seen.add(k);
    }
    if (!seenFiles.has(f)) {
      add(fileTotal, f);
      seenFiles.add(f);
    }
  }
}
const busy = samples.length - idle;
const pct = (c: number) => `${((100 * c) / busy).toFixed(1)}%`;
const us = (c: number) => (requests ? ` ${((c * usPerSample) / requests).toFixed(0)} µs/req` : '');

const print = (line: string) => process.stdout.write(`${line}\n`);
print(
  `# ${file}: ${(windowUs / 1e6).toFixed(1)} s of load, ${samples.length} samples, busy ${((100 * busy) / samples.length).toFixed(0)}%` +
    (requests ? `, ${((busy * usPerSample) / requests).toFixed(0)} µs busy per request` : ''),
);
const table = (title: string, rows: Map<string, number>, other: Map<string, number>, otherName: string) => {
  print(
    `\n## ${title}\n\n| function or file | ${title.startsWith('self') || title.startsWith('file self') ? 'self' : 'total'} | ${otherName} |\n|---|---|---|`,
  );
  for (const [k, c] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top))
    print(`| ${k} | ${pct(c)}${us(c)} | ${pct(other.get(k) ?? 0)} |`);
};
table('self time by function', self, total, 'total');
table('total time by function', total, self, 'self');
table('file self time', fileSelf, fileTotal, 'total');
table('file total time', fileTotal, fileSelf, 'self');
