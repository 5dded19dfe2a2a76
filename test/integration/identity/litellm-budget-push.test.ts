import { describe, expect, it } from 'vitest';
import {
  type BackstopKey,
  keyMaxBudgetNanos,
  spendFloorNanos,
} from '../../../src/integrations/litellm/budget.ts';
import { startBackstop } from './backstop-fixture.ts';

const key = (own: bigint | null = null): BackstopKey => ({
  id: 'key_1',
  organizationId: 'org_1',
  userId: 'user_1',
  teamId: null,
  litellmKeyHash: 'h',
  budgetNanos: own,
  budgetCurrency: own === null ? null : 'USD',
});

/** Waits for a condition by polling it (no fixed sleep); fails after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LiteLLM key budget', () => {
  it('is spend + room − 1 nano, 0 without room, capped by the key’s own USD budget', () => {
    expect(keyMaxBudgetNanos(0.25, 1_000_000n, key())).toBe(250_000_000n + 999_999n);
    expect(keyMaxBudgetNanos(0.25, 0n, key())).toBe(0n);
    expect(keyMaxBudgetNanos(0.25, 0n, key(5n))).toBe(0n);
    expect(keyMaxBudgetNanos(0.25, 1_000_000_000n, key(300_000_000n))).toBe(300_000_000n);
    expect(keyMaxBudgetNanos(1e6, 1n, key())).toBe(1_000_000_000_000_000n);
  });

  it('reads LiteLLM’s float spend rounded down, never up', () => {
    expect(spendFloorNanos(0.3)).toBe(300_000_000n);
    expect(spendFloorNanos(2.9999999999999997e-5)).toBe(29_999n);
    expect(spendFloorNanos(3.0000000000000004e-5)).toBe(30_000n);
    for (const usd of [0.1 + 0.2, 1e-9 * 7, 123.456789012345, 29.999999999])
      expect(Number(spendFloorNanos(usd)) / 1e9).toBeLessThanOrEqual(usd);
  });
});

describe('LiteLLM budget pushes', () => {
  it('coalesce a burst of postings on one wallet into one push', async () => {
    // A fixed clock puts the whole burst in one coalescing window, whatever the machine's speed.
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 1_000);
    const b = await startBackstop({ env: { LITELLM_BUDGET_PUSH_COALESCE_MS: '60000' }, clock: () => now });
    try {
      const ledger = b.t.app.services.ledger;
      for (let i = 0; i < 5; i++)
        await ledger.grant({
          walletId: b.orgWalletId,
          amountNanos: 10_000n,
          idempotencyKey: `g${i}`,
          description: 'burst',
        });
      const messages = await b.db.prisma.outboxMessage.findMany({
        where: { topic: 'litellm.budget.set', payload: { equals: { walletId: b.orgWalletId } } },
      });
      expect(messages.length).toBe(1);
      // Due at the window's end, not before.
      expect(messages[0]!.nextAttemptAt.getTime()).toBe(now.getTime() - 1_000 + 60_000);
      await b.drain();
      expect(
        (await b.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: messages[0]!.id } })).status,
      ).toBe('pending');
      await b.db.prisma.outboxMessage.update({
        where: { id: messages[0]!.id },
        data: { nextAttemptAt: new Date(0) },
      });
      const before = b.litellm.calls.length;
      await b.drain();
      const pushes = b.litellm.calls.slice(before).filter((c) => c.path === '/key/update');
      expect(pushes.map((c) => c.body.max_budget)).toEqual([0.000049999]);
    } finally {
      await b.close();
    }
  });

  it('the periodic safety net pushes what no posting announced (a credit limit change)', async () => {
    const b = await startBackstop({
      env: { LITELLM_BUDGET_SYNC_INTERVAL_MS: '100', OUTBOX_ENABLED: 'true', OUTBOX_POLL_INTERVAL_MS: '20' },
    });
    try {
      await until('the key is mirrored with no room', () => b.roomUsd(b.litellmSecret) === 0);
      await b.t.app.services.ledger.setCreditLimit(b.orgWalletId, 50_000n);
      // setCreditLimit posts nothing, so nothing but the timer pushes it.
      await until('the timer pushed the credit limit', () => b.roomUsd(b.litellmSecret) > 0);
      expect(b.roomUsd(b.litellmSecret)).toBeCloseTo(0.000049999, 12);
      expect((await b.direct(b.litellmSecret, 1)).status).toBe(200);
    } finally {
      await b.close();
    }
  });
});
