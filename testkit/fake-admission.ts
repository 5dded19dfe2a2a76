import type { Principal } from '../src/identity/principal.ts';
import { type AppError, UnauthenticatedError } from '../src/lib/errors.ts';
import type { Admission, Admitted, Outcome, Priced, ProxyRequestInfo } from '../src/admission/port.ts';

export interface FakeKey {
  userId: string;
  modelAllowlist?: string[];
}

/** FakeAdmission's ticket: the order of the admission, so tests can tell settles apart. */
export interface FakeTicket {
  id: number;
}

export interface AdmitCall {
  principal: Principal;
  info: ProxyRequestInfo;
}

/**
 * An in-memory Admission for proxy tests and the benchmark: API keys from a map, a price of
 * `nanosPerToken` per token, a balance that settlements draw down, and a record of every call.
 */
export class FakeAdmission implements Admission<FakeTicket> {
  readonly admits: AdmitCall[] = [];
  /** Every ticket `admit` handed out, in order. */
  readonly tickets: FakeTicket[] = [];
  readonly settles: { ticket: FakeTicket; outcome: Outcome }[] = [];
  readonly releases: { ticket: FakeTicket; outcome: Outcome }[] = [];
  balanceNanos = 1_000_000_000n;
  /** Thrown by the next admit (e.g. 402 insufficient funds). */
  rejectNextAdmit: AppError | null = null;
  /** requested model → model actually sent upstream. */
  degrade: Record<string, string> = {};
  private admitted = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly keys: Record<string, FakeKey>,
    private readonly upstreamCredential: string,
    private readonly nanosPerToken = 1_000n,
  ) {}

  async authenticate(credential: string | null): Promise<Principal> {
    const key = credential === null ? undefined : this.keys[credential];
    if (!key) throw new UnauthenticatedError('Invalid API key', 'INVALID_API_KEY');
    return {
      kind: 'api_key',
      apiKeyId: `key_${key.userId}`,
      userId: key.userId,
      organizationId: 'org_test',
      teamId: null,
      scopes: ['inference'],
      role: 'member',
      isPlatformAdmin: false,
      modelAllowlist: key.modelAllowlist ?? [],
    };
  }

  async admit(principal: Principal, info: ProxyRequestInfo): Promise<Admitted<FakeTicket>> {
    this.admits.push({ principal, info });
    if (this.rejectNextAdmit) {
      const err = this.rejectNextAdmit;
      this.rejectNextAdmit = null;
      throw err;
    }
    const requested = String(info.body.model);
    const ticket = { id: ++this.admitted };
    this.tickets.push(ticket);
    return {
      model: this.degrade[requested] ?? requested,
      userId: principal.userId ?? 'admin',
      upstreamCredential: this.upstreamCredential,
      responseHeaders: { 'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': '999' },
      ticket,
    };
  }

  settle(ticket: FakeTicket, outcome: Outcome): Priced {
    const usage = outcome.usage;
    const costNanos = usage ? BigInt(usage.promptTokens + usage.completionTokens) * this.nanosPerToken : 0n;
    this.balanceNanos -= costNanos;
    this.settles.push({ ticket, outcome });
    this.wake();
    return {
      settlement: { costNanos, balanceNanos: this.balanceNanos, currency: 'USD' },
      journaled: Promise.resolve(),
      posted: Promise.resolve(),
    };
  }

  async release(ticket: FakeTicket, outcome: Outcome): Promise<void> {
    this.releases.push({ ticket, outcome });
    this.wake();
  }

  listModels(principal: Principal, upstreamModels: string[]): string[] {
    if (principal.kind !== 'api_key' || principal.modelAllowlist.length === 0) return upstreamModels;
    return upstreamModels.filter((m) => principal.modelAllowlist.includes(m));
  }

  /** Resolves once `n` requests have been settled or released in total (settlement can follow the response). */
  closed(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.settles.length + this.releases.length >= n) resolve();
        else this.waiters.push(check);
      };
      check();
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
