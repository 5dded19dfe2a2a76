import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BreakerRegistry, CircuitBreaker, CircuitOpenError } from '../../../src/infra/circuit-breaker.ts';

const opts = {
  consecutiveFailuresMax: 3,
  failureRatePercentMax: 50,
  windowCallsMin: 10,
  windowMs: 60_000,
  openMs: 5_000,
};
const fail = () => Promise.reject(new Error('upstream down'));
const ok = () => Promise.resolve('ok');

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast, then recovers through one half-open probe', async () => {
    let now = 1_000_000;
    const b = new CircuitBreaker('litellm', opts, () => now);
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow('upstream down');
    expect(b.state).toBe('open');
    let called = false;
    const err = await b
      .execute(async () => {
        called = true;
      })
      .catch((e) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err).toMatchObject({ code: 'UPSTREAM_CIRCUIT_OPEN', status: 503, retryAfterSeconds: 5 });

    now += 5_000;
    expect(b.state).toBe('half_open');
    // Only one probe at a time: a second call while the probe is in flight fails fast.
    let release!: () => void;
    const probe = b.execute(() => new Promise<string>((r) => (release = () => r('probe ok'))));
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(probe).resolves.toBe('probe ok');
    expect(b.state).toBe('closed');
    await expect(b.execute(ok)).resolves.toBe('ok');
  });

  it('reopens when the half-open probe fails', async () => {
    let now = 0;
    const b = new CircuitBreaker('lago', opts, () => now);
    for (let i = 0; i < 3; i++) await b.execute(fail).catch(() => {});
    now += 5_000;
    await expect(b.execute(fail)).rejects.toThrow('upstream down');
    expect(b.state).toBe('open');
    now += 4_999;
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('opens on the failure rate in the window even without a failure streak', async () => {
    const b = new CircuitBreaker('stripe', opts, () => 0);
    for (let i = 0; i < 10; i++) await (i % 2 ? b.execute(fail) : b.execute(ok)).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('does not count errors the caller classifies as not the upstream failing', async () => {
    const b = new CircuitBreaker('litellm', opts, () => 0);
    const clientError = () => Promise.reject(Object.assign(new Error('400'), { status: 400 }));
    for (let i = 0; i < 5; i++)
      await b.execute(clientError, (e) => (e as { status: number }).status >= 500).catch(() => {});
    expect(b.state).toBe('closed');
  });

  it('exports states as a gauge: 0 closed, 2 open', async () => {
    const registry = new Registry();
    const breakers = new BreakerRegistry(registry, opts, () => 0);
    for (let i = 0; i < 3; i++)
      await breakers
        .get('litellm')
        .execute(fail)
        .catch(() => {});
    const text = await registry.metrics();
    expect(text).toContain('tollgate_circuit_breaker_state{upstream="litellm"} 2');
    expect(text).toContain('tollgate_circuit_breaker_state{upstream="lago"} 0');
    expect(text).toContain('tollgate_circuit_breaker_transitions_total{upstream="litellm",state="open"} 1');
  });
});
