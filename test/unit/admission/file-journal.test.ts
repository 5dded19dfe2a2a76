import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from '../../../src/admission/file-journal.ts';
import type { JournalEntry, PostingRecord } from '../../../src/admission/settlement-journal.ts';
import { byRequest, decodeEntry, encodeEntry } from '../../../src/admission/settlement-journal.ts';

const record = (requestId: string): PostingRecord => ({
  requestId,
  endpoint: '/v1/chat/completions',
  organizationId: 'org_1',
  teamId: null,
  userId: 'usr_1',
  apiKeyId: 'key_1',
  walletId: 'wal_1',
  currency: 'USD',
  holdId: 'hold_1',
  leased: true,
  holdNanos: 9_007_199_254_740_993n, // above 2^53: must not pass through a float
  promptTokensEstimate: 10,
  completionTokensEstimate: 100,
  requestedModel: 'm',
  model: 'm',
  plan: null,
  admittedAtMs: 1,
});

const settled = (requestId: string): JournalEntry => ({
  kind: 'settled',
  requestId,
  costNanos: 5n,
  chargedNanos: 5n,
  outcome: {
    status: 'succeeded',
    httpStatus: 200,
    promptTokens: 1,
    completionTokens: 2,
    cachedTokens: 0,
    estimated: false,
    modelServed: 'm',
    latencyMs: 3,
  },
});

describe('settlement journal file (single-node mode)', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('entries round-trip with exact bigints', () => {
    const e: JournalEntry = { kind: 'admitted', record: record('r1') };
    expect(decodeEntry(encodeEntry(e))).toEqual(e);
    const big: JournalEntry = {
      ...(settled('r1') as Extract<JournalEntry, { kind: 'settled' }>),
      costNanos: 2n ** 63n - 1n,
      chargedNanos: 9_007_199_254_740_993n,
    };
    expect(decodeEntry(encodeEntry(big))).toEqual(big);
  });

  it('entries are written as the generic bigint encoding wrote them, so processes of either version read each other', () => {
    const generic = (e: JournalEntry) =>
      JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? { $n: v.toString() } : v));
    for (const e of [{ kind: 'admitted', record: record('r1') } as const, settled('r1')])
      expect(JSON.parse(encodeEntry(e))).toEqual(JSON.parse(generic(e)));
  });

  it('what a process left unacknowledged is handed, once, to the next one on the same directory; acknowledged entries are not', async () => {
    const d = dir();
    const first = new FileJournal(d);
    const a1 = await first.append({ kind: 'admitted', record: record('r1') });
    const s1 = await first.append(settled('r1'));
    const a2 = await first.append({ kind: 'admitted', record: record('r2') });
    const a3 = await first.append({ kind: 'admitted', record: record('r3') });
    await first.ack([a3]);
    // kill -9: no close. Then a torn line, as a write cut by the crash leaves.
    appendFileSync(join(d, 'settlement-journal.log'), 'A 99 {"kind":"adm');

    const second = new FileJournal(d);
    const batch = await second.claimOrphans();
    expect(batch?.entries.map((e) => e.id)).toEqual([a1, s1, a2]);
    const groups = byRequest(batch!.entries);
    expect(groups.get('r1')?.settled?.chargedNanos).toBe(5n);
    expect(groups.get('r2')?.settled).toBeUndefined();
    expect(groups.get('r2')?.admitted?.holdNanos).toBe(9_007_199_254_740_993n);
    // r2 could not be posted (database away): offered again; r1 is done.
    await batch!.done([a1, s1]);
    const again = await second.claimOrphans();
    expect(again?.entries.map((e) => e.id)).toEqual([a2]);
    await again!.done([a2]);
    expect(await second.claimOrphans()).toBeNull();
    // New ids never reuse the dead process's (its acknowledgements must not hit new entries).
    const next = await second.append({ kind: 'admitted', record: record('r4') });
    expect(Number(next)).toBeGreaterThan(99);
    await second.close();

    const third = new FileJournal(d);
    expect((await third.claimOrphans())?.entries.map((e) => e.id)).toEqual([next]);
    await third.close();
    expect(readFileSync(join(d, 'settlement-journal.log'), 'utf8')).toContain(`D ${a2}`);
  });
});
