import { createPubSub } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { currentThenChanges } from '../../../src/graphql/current-then-changes.ts';

/** yoga's in-memory pub/sub over an EventTarget that counts its listeners. */
function countingPubSub() {
  const target = new EventTarget();
  let listeners = 0;
  const eventTarget = {
    addEventListener(type: string, l: any, o?: any) {
      listeners++;
      target.addEventListener(type, l, o);
    },
    removeEventListener(type: string, l: any, o?: any) {
      listeners--;
      target.removeEventListener(type, l, o);
    },
    dispatchEvent: (e: Event) => target.dispatchEvent(e),
  };
  const pubsub = createPubSub<{ t: [number] }>({ eventTarget: eventTarget as any });
  return { pubsub, listeners: () => listeners };
}

describe('currentThenChanges', () => {
  it('listens before reading the current state, so a change published during the read is delivered after it', async () => {
    const { pubsub } = countingPubSub();
    const events = currentThenChanges(pubsub.subscribe('t'), async () => {
      pubsub.publish('t', 1); // a change that lands while the current state is read
      return 0;
    });
    expect(await events.next()).toEqual({ done: false, value: 0 });
    expect(await events.next()).toEqual({ done: false, value: 1 });
    pubsub.publish('t', 2);
    expect(await events.next()).toEqual({ done: false, value: 2 });
    await events.return?.();
  });

  it('stops listening at once when the client leaves, also while waiting for a change on a quiet topic', async () => {
    const { pubsub, listeners } = countingPubSub();
    const events = currentThenChanges(pubsub.subscribe('t'), async () => 0);
    await events.next();
    expect(listeners()).toBe(1);
    const waiting = events.next(); // nothing is published
    await events.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(listeners()).toBe(0);
  });

  it('stops listening when the current state cannot be read', async () => {
    const { pubsub, listeners } = countingPubSub();
    const events = currentThenChanges(pubsub.subscribe('t'), async () => {
      throw new Error('database away');
    });
    await expect(events.next()).rejects.toThrow('database away');
    expect(listeners()).toBe(0);
  });
});
