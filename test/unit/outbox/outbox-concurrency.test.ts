import { describe, expect, it } from 'vitest';
import { outboxConcurrency } from '../../../src/outbox/wiring.ts';

describe('outbox concurrency', () => {
  it('defaults to half the database pool, so the worker never holds every connection', () => {
    expect(outboxConcurrency({ OUTBOX_CONCURRENCY: 0, DATABASE_POOL_SIZE: 10 })).toBe(5);
    expect(outboxConcurrency({ OUTBOX_CONCURRENCY: 0, DATABASE_POOL_SIZE: 1 })).toBe(1);
  });

  it('takes OUTBOX_CONCURRENCY when set, but never the whole pool', () => {
    expect(outboxConcurrency({ OUTBOX_CONCURRENCY: 3, DATABASE_POOL_SIZE: 10 })).toBe(3);
    expect(outboxConcurrency({ OUTBOX_CONCURRENCY: 50, DATABASE_POOL_SIZE: 10 })).toBe(9);
  });
});
