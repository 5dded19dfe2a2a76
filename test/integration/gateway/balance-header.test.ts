import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nanosToMajorDecimal } from '../../../src/lib/money.ts';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

/**
 * `x-tollgate-balance` is what the paying wallet has available after the request (balance − held,
 * this process's own lease given back), as this process knows it. With nothing else in flight it
 * equals the wallet's balance once the request is posted, on every request: the first (its own
 * hold) and the ones after it reserved from the lease the first one opened.
 */
describe('x-tollgate-balance', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
    await g.fund(12_000_000_000n);
  });
  afterAll(async () => g?.close());

  const ask = async () => {
    const { response } = await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 500 })
      .withResponse();
    return response.headers.get('x-tollgate-balance');
  };
  const activeLeases = () =>
    g.t.app.services.db.hold.count({
      where: { walletId: g.orgWalletId, status: 'active', idempotencyKey: { startsWith: 'lease:' } },
    });

  it('is the balance after each request, also once a lease opened while the first request was held', async () => {
    // The first request places a hold of its own and opens a lease in the background; LiteLLM answers
    // it only once the lease is open, so the lease reads the wallet while that hold is still held.
    let release!: () => void;
    g.upstream.next({ kind: 'gate', release: new Promise<void>((r) => (release = r)) });
    const first = ask();
    try {
      await vi.waitFor(async () => expect(await activeLeases()).toBe(1), { timeout: 30_000 });
    } finally {
      release();
    }
    const seen = [await first];
    expect(seen[0]).toBe(nanosToMajorDecimal(await g.balance()));
    for (let i = 0; i < 3; i++) {
      seen.push(await ask());
      expect(seen.at(-1)).toBe(nanosToMajorDecimal(await g.balance()));
    }
  });
});
