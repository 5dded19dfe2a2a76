import type { SharedState } from '../../infra/shared-state.ts';
import { sha256Hex } from '../crypto.ts';
import { SignInRateLimitedError } from './errors.ts';

export interface SignInLimiterOptions {
  /** SIGN_IN_FAILURES_PER_EMAIL and SIGN_IN_FAILURES_PER_ADDRESS per window; 0 turns one off. */
  perEmail: number;
  perAddress: number;
  /** SIGN_IN_FAILURE_WINDOW_SECONDS. */
  windowSeconds: number;
  nowMs?: () => number;
  /** Key prefix and refusal message, for other counts of the same shape (account emails). */
  prefix?: string;
  message?: string;
}

/**
 * Failed sign-ins counted per account (the login email) and per source address in fixed windows,
 * in SharedState so every replica sees the same counts (Redis in multi-node mode). Once a count
 * reaches its limit every sign-in for that email or from that address is refused until the window
 * ends, a right password included: guessing stays as slow as the limit. Emails are hashed in the
 * keys (no address book in Redis). Unlike AuthFailureLimiter it reads the counts on every sign-in:
 * sign-in is rare, and the check must hold before the password is tried.
 */
export class SignInLimiter {
  private readonly nowMs: () => number;

  constructor(
    private readonly state: SharedState,
    private readonly opts: SignInLimiterOptions,
  ) {
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** Throws SignInRateLimitedError when the email or the address is over its limit. */
  async check(email: string, address: string): Promise<void> {
    const { window, retryAfterMs } = this.window();
    for (const [key, limit] of this.keys(email, address, window)) {
      if (limit === 0) continue;
      const count = Number((await this.state.get(key)) ?? 0);
      if (count >= limit) throw new SignInRateLimitedError(retryAfterMs, this.opts.message);
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    const { window, retryAfterMs } = this.window();
    for (const [key, limit] of this.keys(email, address, window))
      if (limit !== 0) await this.state.incrBy(key, 1, retryAfterMs + 1_000);
  }

  private window() {
    const windowMs = this.opts.windowSeconds * 1000;
    const now = this.nowMs();
    const window = Math.floor(now / windowMs);
    return { window, retryAfterMs: (window + 1) * windowMs - now };
  }

  private keys(email: string, address: string, window: number): [string, number][] {
    const prefix = this.opts.prefix ?? 'sign-in-failures';
    return [
      [`${prefix}:email:${sha256Hex(email)}:${window}`, this.opts.perEmail],
      [`${prefix}:addr:${address}:${window}`, this.opts.perAddress],
    ];
  }
}
