import { Counter, Gauge, type Registry } from 'prom-client';
import { ServiceUnavailableError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';

export const BREAKER_STATES = ['closed', 'half_open', 'open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];
/** Gauge values: 0 closed, 1 half-open, 2 open. */
const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface BreakerOptions {
  /** Opens after this many failures in a row. */
  consecutiveFailuresMax: number;
  /** …or when at least this share (percent) of the calls in the window failed, */
  failureRatePercentMax: number;
  /** …counting only once the window holds this many calls. */
  windowCallsMin: number;
  windowMs: number;
  /** How long it stays open before letting one probe through. */
  openMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  consecutiveFailuresMax: 5,
  failureRatePercentMax: 50,
  windowCallsMin: 20,
  windowMs: 60_000,
  openMs: 30_000,
};

/** The upstream's circuit is open: failing fast instead of waiting on a call that will likely fail. */
export class CircuitOpenError extends ServiceUnavailableError {
  readonly retryAfterSeconds: number;
  constructor(name: string, retryAfterSeconds: number) {
    super(
      `Upstream '${name}' is unavailable (circuit open); retry in ${retryAfterSeconds} s`,
      'UPSTREAM_CIRCUIT_OPEN',
    );
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/**
 * A circuit breaker for one upstream, per process (each gateway process learns on its own; no
 * shared state on the hot path). closed → open after `consecutiveFailuresMax` failures in a row
 * or a failure rate above `failureRatePercentMax` over `windowMs`; open → half_open after
 * `openMs`, when exactly one probe call is let through; the probe's success closes it, its failure
 * opens it again. Failures are what `isFailure` says (default: every thrown error), so callers can
 * keep client errors (4xx) from tripping it.
 */
export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAtMs = 0;
  private probeInFlight = false;
  private calls: { atMs: number; failed: boolean }[] = [];
  lastError: string | null = null;

  constructor(
    readonly name: string,
    private readonly opts: BreakerOptions = DEFAULT_BREAKER_OPTIONS,
    private readonly nowMs: () => number = Date.now,
    private readonly onChange: (name: string, state: BreakerState) => void = () => {},
  ) {}

  get state(): BreakerState {
    if (this.stateValue === 'open' && this.nowMs() - this.openedAtMs >= this.opts.openMs)
      this.transition('half_open');
    return this.stateValue;
  }

  /** When it opened (ms), for readiness details. */
  get openedAt(): number | null {
    return this.stateValue === 'closed' ? null : this.openedAtMs;
  }

  /**
   * Runs `fn` unless the circuit is open.
   * @throws CircuitOpenError (UPSTREAM_CIRCUIT_OPEN, 503) while open, or half-open with the probe in flight.
   */
  async execute<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean = () => true): Promise<T> {
    const state = this.state;
    let probe = false;
    if (state === 'open' || (state === 'half_open' && this.probeInFlight)) {
      const waitMs = Math.max(0, this.openedAtMs + this.opts.openMs - this.nowMs());
      throw new CircuitOpenError(this.name, Math.max(1, Math.ceil(waitMs / 1000)));
    }
    if (state === 'half_open') {
      this.probeInFlight = true;
      probe = true;
    }
    try {
      const result = await fn();
      this.record(false, probe);
      return result;
    } catch (err) {
      const failed = isFailure(err);
      if (failed) this.lastError = err instanceof Error ? err.message : String(err);
      this.record(failed, probe);
      throw err;
    } finally {
      if (probe) this.probeInFlight = false;
    }
  }

  private record(failed: boolean, probe: boolean) {
    const now = this.nowMs();
    this.calls.push({ atMs: now, failed });
    this.calls = this.calls.filter((c) => now - c.atMs < this.opts.windowMs);
    if (!failed) {
      this.consecutiveFailures = 0;
      if (probe || this.stateValue !== 'closed') this.transition('closed');
      return;
    }
    this.consecutiveFailures++;
    if (probe) return this.open();
    if (this.stateValue !== 'closed') return;
    const failures = this.calls.filter((c) => c.failed).length;
    const rateTripped =
      this.calls.length >= this.opts.windowCallsMin &&
      failures * 100 >= this.opts.failureRatePercentMax * this.calls.length;
    if (this.consecutiveFailures >= this.opts.consecutiveFailuresMax || rateTripped) this.open();
  }

  private open() {
    this.openedAtMs = this.nowMs();
    this.transition('open');
  }

  private transition(to: BreakerState) {
    if (to === this.stateValue) return;
    this.stateValue = to;
    if (to === 'closed') {
      this.calls = [];
      this.consecutiveFailures = 0;
      this.lastError = null;
    }
    logger.warn({ breaker: this.name, state: to }, 'circuit breaker state changed');
    this.onChange(this.name, to);
  }
}

export const UPSTREAMS = ['litellm', 'lago', 'stripe', 'webhooks'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

/**
 * One breaker per upstream per process, created on first use, exported as the gauge
 * `tollgate_circuit_breaker_state{upstream}` (0 closed, 1 half-open, 2 open) and the counter
 * `tollgate_circuit_breaker_transitions_total{upstream,state}`.
 */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly gauge: Gauge<'upstream'>;
  private readonly transitions: Counter<'upstream' | 'state'>;

  constructor(
    registry: Registry,
    private readonly opts: BreakerOptions = DEFAULT_BREAKER_OPTIONS,
    private readonly nowMs: () => number = Date.now,
  ) {
    const self = this;
    this.gauge = new Gauge({
      name: 'tollgate_circuit_breaker_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'] as const,
      registers: [registry],
      collect() {
        // Read through `state` so an open breaker whose cool-down passed reports half-open.
        for (const b of self.breakers.values()) this.set({ upstream: b.name }, STATE_VALUE[b.state]);
      },
    });
    this.transitions = new Counter({
      name: 'tollgate_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes per upstream and new state',
      labelNames: ['upstream', 'state'] as const,
      registers: [registry],
    });
    for (const name of UPSTREAMS) this.get(name);
  }

  get(name: Upstream | (string & {})): CircuitBreaker {
    let b = this.breakers.get(name);
    if (!b) {
      b = new CircuitBreaker(name, this.opts, this.nowMs, (n, state) => {
        this.gauge.set({ upstream: n }, STATE_VALUE[state]);
        this.transitions.inc({ upstream: n, state });
      });
      this.breakers.set(name, b);
      this.gauge.set({ upstream: name }, 0);
    }
    return b;
  }

  all(): CircuitBreaker[] {
    return [...this.breakers.values()];
  }
}
