import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../src/lib/single-flight.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('concurrent loads of one key make one call and share its result', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    let calls = 0;
    const load = () => {
      calls++;
      return d.promise;
    };
    const all = Promise.all([flight.run('k', load), flight.run('k', load), flight.run('k', load)]);
    d.resolve(7);
    expect(await all).toEqual([7, 7, 7]);
    expect(calls).toBe(1);
  });

  it('other keys load on their own, and a settled key loads again', async () => {
    const flight = new SingleFlight<string>();
    let calls = 0;
    const load = (v: string) => () => {
      calls++;
      return Promise.resolve(v);
    };
    expect(await Promise.all([flight.run('a', load('A')), flight.run('b', load('B'))])).toEqual(['A', 'B']);
    expect(await flight.run('a', load('A2'))).toBe('A2');
    expect(calls).toBe(3);
  });

  it('a failed load fails every caller that joined it, and the next call tries again', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    const first = flight.run('k', () => d.promise);
    const joined = flight.run('k', () => Promise.resolve(1));
    d.reject(new Error('database away'));
    await expect(first).rejects.toThrow('database away');
    await expect(joined).rejects.toThrow('database away');
    expect(await flight.run('k', () => Promise.resolve(2))).toBe(2);
  });

  it('after forget, a caller starts a fresh load instead of joining the one already running', async () => {
    const flight = new SingleFlight<string>();
    const stale = deferred<string>();
    const before = flight.run('k', () => stale.promise);
    flight.forget('k');
    const after = flight.run('k', () => Promise.resolve('fresh'));
    stale.resolve('stale');
    expect(await before).toBe('stale');
    expect(await after).toBe('fresh');
    // The stale load settling does not drop the fresh one's slot: a third caller joins nothing stale.
    const d = deferred<string>();
    const third = flight.run('k', () => d.promise);
    const fourth = flight.run('k', () => Promise.resolve('never'));
    d.resolve('third');
    expect(await Promise.all([third, fourth])).toEqual(['third', 'third']);
  });
});
