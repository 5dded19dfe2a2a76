import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import { RiskSettingsStore } from '../../../src/risk/settings.ts';

/** risk_settings rows in memory; reads wait for `open` when gated, and are counted. */
function settingsTable() {
  const rows: { id: string; scopeType: string; scopeId: string; settings: unknown }[] = [];
  let reads = 0;
  let gate: Promise<void> | null = null;
  const db = {
    riskSetting: {
      async findMany({ where }: { where: { OR: { scopeType: string; scopeId: string }[] } }) {
        reads++;
        if (gate) await gate;
        return rows.filter((r) =>
          where.OR.some((w) => w.scopeType === r.scopeType && w.scopeId === r.scopeId),
        );
      },
      async upsert({ create, update, where }: any) {
        const k = where.scopeType_scopeId;
        const row = rows.find((r) => r.scopeType === k.scopeType && r.scopeId === k.scopeId);
        if (row) row.settings = update.settings;
        else rows.push({ ...create });
        return rows.at(-1);
      },
    },
  } as unknown as Db;
  return {
    db,
    reads: () => reads,
    hold() {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

const subject = { organizationId: 'org_1', userId: 'usr_1', apiKeyId: 'key_1' };

describe('RiskSettingsStore cache', () => {
  it('requests arriving while the layers are being read share that one read', async () => {
    const t = settingsTable();
    const store = new RiskSettingsStore(t.db, new MemorySharedState(), 30_000);
    const open = t.hold();
    const all = Promise.all(Array.from({ length: 20 }, () => store.effective(subject)));
    await new Promise((r) => setImmediate(r));
    open();
    const settings = await all;
    expect(t.reads()).toBe(1);
    expect(settings[0]?.newAccount?.days).toBe(7);
    await store.close();
  });

  it('serves the merged settings from memory, and merges again once a layer changes', async () => {
    const t = settingsTable();
    const store = new RiskSettingsStore(t.db, new MemorySharedState(), 30_000);
    const first = await store.effective(subject);
    expect(await store.effective(subject)).toBe(first);
    expect(t.reads()).toBe(1);
    await store.put('api_key', 'key_1', { rateLimits: { keyRequestsPerMinute: 3 } });
    const after = await store.effective(subject);
    expect(after.rateLimits?.keyRequestsPerMinute).toBe(3);
    expect(after.newAccount?.days).toBe(7);
    await store.close();
  });

  it('merges again once a layer expires', async () => {
    const t = settingsTable();
    let now = 1_000;
    const store = new RiskSettingsStore(t.db, new MemorySharedState(), 5_000, () => now);
    const first = await store.effective(subject);
    now += 5_000;
    const second = await store.effective(subject);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(t.reads()).toBe(2);
    await store.close();
  });
});
