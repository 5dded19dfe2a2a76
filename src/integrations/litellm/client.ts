import { currentRequestId } from '../../lib/request-context.ts';
import { stringifyWithUsd, type UsdAmount } from './usd.ts';

/**
 * A failed LiteLLM admin call. LiteLLM answers errors either as
 * `{"error":{"message","type","param","code"}}`, as FastAPI's `{"detail":…}`, or (DB not
 * connected) as `{"error":"…"}`: `message` is normalised from all three.
 */
export class LiteLLMAdminError extends Error {
  override name = 'LiteLLMAdminError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly type: string | null,
    readonly body: unknown,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }

  /**
   * Network failures, timeouts, 429 and 5xx can succeed on a later attempt; so can "no database"
   * answers (LiteLLM's /user/new says so with a 400), since the database may be attached later.
   */
  get retryable(): boolean {
    return (
      this.status === null ||
      this.status === 429 ||
      this.status >= 500 ||
      /db not connected|no db connected|not connected to db|database not connected/i.test(this.message)
    );
  }

  get notFound(): boolean {
    return (
      this.status === 404 ||
      (this.status === 400 && /not found|does not exist|doesn't exist/i.test(this.message))
    );
  }

  get alreadyExists(): boolean {
    return this.status === 400 && /already exists|unique key aliases/i.test(this.message);
  }
}

function errorMessage(body: unknown, status: number): { message: string; type: string | null } {
  const b = body as any;
  const pick = (v: unknown): string =>
    typeof v === 'string' ? v : v && typeof v === 'object' ? JSON.stringify(v) : `HTTP ${status}`;
  if (b && typeof b === 'object') {
    if (b.error && typeof b.error === 'object')
      return { message: pick(b.error.message), type: typeof b.error.type === 'string' ? b.error.type : null };
    if (typeof b.error === 'string') return { message: b.error, type: null };
    if (b.detail !== undefined) {
      const d = b.detail;
      return { message: pick(d && typeof d === 'object' && 'error' in d ? d.error : d), type: null };
    }
  }
  return { message: typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status}`, type: null };
}

export interface LiteLLMAdminClientOptions {
  baseUrl: string;
  masterKey: string;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
type Budget = UsdAmount | null;

export interface TeamBody {
  team_id: string;
  team_alias?: string;
  models?: string[];
  max_budget?: Budget;
  blocked?: boolean;
  metadata?: Json;
}

export interface UserBody {
  user_id: string;
  user_email?: string;
  models?: string[];
  max_budget?: Budget;
  metadata?: Json;
  auto_create_key?: boolean;
}

export interface KeyBody {
  key?: string;
  key_alias?: string;
  user_id?: string;
  team_id?: string | null;
  models?: string[];
  max_budget?: Budget;
  rpm_limit?: number | null;
  tpm_limit?: number | null;
  metadata?: Json;
  blocked?: boolean;
  duration?: string | null;
}

export interface KeyInfo {
  key: string;
  info: {
    key_alias?: string | null;
    user_id?: string | null;
    team_id?: string | null;
    models?: string[];
    metadata?: Json;
    blocked?: boolean | null;
    spend?: number;
    max_budget?: number | null;
  };
}

export interface SpendInfo {
  spend: number;
  max_budget: number | null;
}

/**
 * Plain-HTTP client for the LiteLLM admin endpoints Tollgate uses. Every call carries the master
 * key, a timeout and the current request id. It never retries: retries belong to the outbox.
 */
export class LiteLLMAdminClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: LiteLLMAdminClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async call<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const requestId = currentRequestId();
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.masterKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(requestId ? { 'x-request-id': requestId } : {}),
        },
        body: body === undefined ? undefined : stringifyWithUsd(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const reason = (err as Error)?.name === 'TimeoutError' ? 'timed out' : 'unreachable';
      throw new LiteLLMAdminError(`LiteLLM ${method} ${path} ${reason}`, null, null, null, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep the raw text for the error message
    }
    if (!res.ok) {
      const { message, type } = errorMessage(parsed, res.status);
      throw new LiteLLMAdminError(`LiteLLM ${path} ${res.status}: ${message}`, res.status, type, parsed);
    }
    return parsed as T;
  }

  teamNew(body: TeamBody) {
    return this.call('POST', '/team/new', body);
  }
  teamUpdate(body: TeamBody) {
    return this.call('POST', '/team/update', body);
  }
  teamDelete(teamIds: string[]) {
    return this.call('POST', '/team/delete', { team_ids: teamIds });
  }
  async teamInfo(teamId: string): Promise<SpendInfo> {
    const r = await this.call('GET', `/team/info?team_id=${encodeURIComponent(teamId)}`);
    return { spend: Number(r.team_info?.spend ?? 0), max_budget: r.team_info?.max_budget ?? null };
  }

  userNew(body: UserBody) {
    return this.call('POST', '/user/new', { auto_create_key: false, ...body });
  }
  userUpdate(body: UserBody) {
    return this.call('POST', '/user/update', body);
  }
  userDelete(userIds: string[]) {
    return this.call('POST', '/user/delete', { user_ids: userIds });
  }
  async userInfo(userId: string): Promise<SpendInfo> {
    const r = await this.call('GET', `/user/info?user_id=${encodeURIComponent(userId)}`);
    return { spend: Number(r.user_info?.spend ?? 0), max_budget: r.user_info?.max_budget ?? null };
  }

  keyGenerate(body: KeyBody): Promise<{ key: string; token: string; key_alias: string | null }> {
    return this.call('POST', '/key/generate', body);
  }
  /** `body.key` is the plaintext or the hash. Replaces `metadata` as a whole: merge before. */
  keyUpdate(body: KeyBody & { key: string }) {
    return this.call('POST', '/key/update', body);
  }
  keyDelete(keys: string[]) {
    return this.call('POST', '/key/delete', { keys });
  }
  keyInfo(key: string): Promise<KeyInfo> {
    return this.call('GET', `/key/info?key=${encodeURIComponent(key)}`);
  }
}
