import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import { PlanService } from '../../../src/plans/plans.ts';

describe('PlanService assignment cache', () => {
  it('requests arriving while a subject’s assignments are being read share that one read', async () => {
    let reads = 0;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const db = {
      planAssignment: {
        async findMany() {
          reads++;
          await gate;
          return [];
        },
      },
    } as unknown as Db;
    const plans = new PlanService({
      db,
      clock: () => new Date(),
      pricing: { isPriced: async () => true },
      state: new MemorySharedState(),
    });
    const ids = { organizationId: 'org_1', teamId: null, userId: 'usr_1', apiKeyId: 'key_1' };
    const all = Promise.all(Array.from({ length: 20 }, () => plans.effectivePlan(ids)));
    await new Promise((r) => setImmediate(r));
    open();
    expect(await all).toEqual(Array(20).fill(null));
    expect(reads).toBe(1);
    // Invalidated (a plan was assigned): the next request reads again.
    await plans.invalidate();
    await plans.effectivePlan(ids);
    expect(reads).toBe(2);
  });
});
