import { createHash } from 'node:crypto';

/**
 * The enforcing half of the LiteLLM double: `/chat/completions` (and `/v1/…`) authenticated by the
 * master key or a virtual key from the admin half's tables, refused the way LiteLLM refuses, and
 * spend added to the key, its user, its team and the end user after each answer.
 *
 * Behaviour copied from BerriAI/litellm (2025–2026):
 * - `proxy/auth/auth_checks.py` `common_checks`: team blocked → team models → team budget
 *   (`_team_max_budget_check`: `spend > max_budget`) → personal user budget, only when the key has
 *   no team (`spend >= max_budget`, "ExceededBudget: User=…") → end user budget
 *   (`spend > max_budget`, "ExceededBudget: End User=…").
 * - `_virtual_key_max_budget_check`: key `spend >= max_budget` → `BudgetExceededError`, whose
 *   default message is "Budget has been exceeded! Current cost: X, Max budget: Y"
 *   (`litellm/exceptions.py`).
 * - `proxy/auth/auth_exception_handler.py`: BudgetExceededError → ProxyException type
 *   `budget_exceeded`, code 400 (older builds) or 429 (`budgetExceededStatus`); other auth failures →
 *   401 `auth_error` "Authentication Error, …"; key/team model denials are 401
 *   `key_model_access_denied` / `team_model_access_denied`; an expired key is 400 `expired_key`.
 * - rpm/tpm limits per key per minute → 429 `throttling_error` (parallel_request_limiter).
 * - `budget_duration`: spend is set back to 0 by LiteLLM's reset job (`resetBudgets()` here).
 */

export interface PricedUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface DataPlaneSettings {
  /** 400 (LiteLLM before the 429 change) or 429 (current builds) for budget_exceeded. */
  budgetExceededStatus: 400 | 429;
  /** USD per prompt / completion token (LiteLLM's model cost map for the served model). */
  inputUsdPerToken: number;
  outputUsdPerToken: number;
  promptTokens: number;
  /** Completion tokens when the request sets no max_tokens (else exactly max_tokens are "generated"). */
  completionTokens: number;
}

export interface SpendRow {
  spend: number;
  max_budget: number | null;
  budget_duration?: string | null;
  budget_reset_at?: string | null;
}

export interface DataPlaneTables {
  masterKey: string;
  settings: DataPlaneSettings;
  keys: Map<string, any>;
  teams: Map<string, any>;
  users: Map<string, any>;
  customers: Map<string, any>;
  nowMs(): number;
}

type Out = { status: number; body: unknown; headers?: Record<string, string> };

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

export function proxyError(status: number, message: string, type: string, param: string | null = null): Out {
  return { status, body: { error: { message, type, param: param ?? 'None', code: String(status) } } };
}

/** Python's repr(float), as LiteLLM's messages and headers print numbers (4e-05, 0.0001, 2.0). */
export function py(n: number): string {
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mantissa, exp] = n.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** Seconds of a LiteLLM duration string: `30s`, `30m`, `30h`, `30d`, `1mo`. */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(s|m|h|d|mo)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  const n = Number(m[1]);
  return n * { s: 1, m: 60, h: 3600, d: 86_400, mo: 30 * 86_400 }[m[2] as 's'];
}

export class EnforcingDataPlane {
  /** Per key and minute: requests and tokens, for rpm/tpm limits. */
  private readonly window = new Map<string, { minute: number; requests: number; tokens: number }>();

  constructor(private readonly t: DataPlaneTables) {}

  /** The bearer from `Authorization` or `x-litellm-api-key` (raw or `Bearer …`). */
  static bearer(headers: Record<string, string | string[] | undefined>): string | null {
    const raw = headers.authorization ?? headers['x-litellm-api-key'];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (!v) return null;
    return v.replace(/^Bearer\s+/i, '').trim() || null;
  }

  chat(headers: Record<string, string | string[] | undefined>, body: any): Out {
    const token = EnforcingDataPlane.bearer(headers);
    if (!token) return proxyError(401, 'Authentication Error, No api key passed in.', 'auth_error');
    const model = typeof body?.model === 'string' ? body.model : '';
    const endUserId = this.endUser(headers, body);
    let key: any = null;
    if (token !== this.t.masterKey) {
      key = this.t.keys.get(sha256(token));
      if (!key)
        return proxyError(
          401,
          `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${token.slice(-4)}, Key Hash (Token) =${sha256(token)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
          'auth_error',
        );
      const refused = this.checkKey(key, model);
      if (refused) return refused;
    }
    const team = key?.team_id ? this.t.teams.get(key.team_id) : undefined;
    const user = key?.user_id ? this.t.users.get(key.user_id) : undefined;
    const endUser = endUserId ? this.upsertEndUser(endUserId) : undefined;
    const refused = this.commonChecks(model, team, user, endUser);
    if (refused) return refused;

    const usage: PricedUsage = {
      promptTokens: this.t.settings.promptTokens,
      completionTokens: Number.isInteger(body?.max_tokens)
        ? body.max_tokens
        : this.t.settings.completionTokens,
    };
    const cost =
      usage.promptTokens * this.t.settings.inputUsdPerToken +
      usage.completionTokens * this.t.settings.outputUsdPerToken;
    // LiteLLM adds the cost to every entity the request belongs to (proxy_track_cost_callback).
    for (const row of [key, user, team, endUser]) if (row) row.spend += cost;
    if (key) this.countWindow(key.token, usage.promptTokens + usage.completionTokens);
    return {
      status: 200,
      headers: {
        'x-litellm-response-cost': py(cost),
        ...(key ? { 'x-litellm-key-spend': py(key.spend) } : {}),
        ...(key?.max_budget != null ? { 'x-litellm-key-max-budget': py(key.max_budget) } : {}),
      },
      body: {
        id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
        object: 'chat.completion',
        created: Math.floor(this.t.nowMs() / 1000),
        model,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content: 'ok', tool_calls: null, function_call: null },
          },
        ],
        usage: {
          prompt_tokens: usage.promptTokens,
          completion_tokens: usage.completionTokens,
          total_tokens: usage.promptTokens + usage.completionTokens,
        },
      },
    };
  }

  /** LiteLLM's reset job: spend back to 0 for every row whose budget_reset_at has passed. */
  resetBudgets(): void {
    const now = this.t.nowMs();
    for (const table of [this.t.keys, this.t.teams, this.t.users, this.t.customers])
      for (const row of table.values()) {
        if (!row.budget_duration || !row.budget_reset_at) continue;
        if (Date.parse(row.budget_reset_at) > now) continue;
        row.spend = 0;
        row.budget_reset_at = new Date(now + durationSeconds(row.budget_duration) * 1000).toISOString();
      }
  }

  private endUser(headers: Record<string, string | string[] | undefined>, body: any): string | null {
    for (const h of ['x-litellm-customer-id', 'x-litellm-end-user-id']) {
      const v = headers[h];
      if (typeof v === 'string' && v) return v;
    }
    return typeof body?.user === 'string' && body.user ? body.user : null;
  }

  private upsertEndUser(id: string) {
    let row = this.t.customers.get(id);
    if (!row) {
      row = { user_id: id, alias: null, blocked: false, metadata: {}, spend: 0, litellm_budget_table: null };
      this.t.customers.set(id, row);
    }
    return row;
  }

  private checkKey(key: any, model: string): Out | null {
    if (key.expires && Date.parse(key.expires) < this.t.nowMs())
      return proxyError(
        400,
        `Authentication Error - Expired Key. Key Expiry time ${key.expires} and current time ${new Date(this.t.nowMs()).toISOString()}`,
        'expired_key',
        'token',
      );
    if (key.blocked === true)
      return proxyError(
        401,
        "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
        'auth_error',
      );
    if (model && key.models.length > 0 && !key.models.includes(model))
      return proxyError(
        401,
        `key not allowed to access model. This key can only access models=${JSON.stringify(key.models)}. Tried to access ${model}`,
        'key_model_access_denied',
        'model',
      );
    if (key.max_budget != null && key.spend >= key.max_budget)
      return this.budgetExceeded(
        `Budget has been exceeded! Current cost: ${py(key.spend)}, Max budget: ${py(key.max_budget)}`,
      );
    const w = this.currentWindow(key.token);
    if (
      (key.rpm_limit != null && w.requests >= key.rpm_limit) ||
      (key.tpm_limit != null && w.tokens >= key.tpm_limit)
    )
      return proxyError(
        429,
        `LiteLLM Rate Limit Handler for rate limit type = key. Crossed TPM / RPM / Max Parallel Request Limit. current rpm: ${w.requests}, rpm limit: ${key.rpm_limit}, current tpm: ${w.tokens}, tpm limit: ${key.tpm_limit}`,
        'throttling_error',
      );
    return null;
  }

  private commonChecks(model: string, team: any, user: any, endUser: any): Out | null {
    if (team?.blocked === true)
      return proxyError(
        401,
        `Authentication Error, Team=${team.team_id} is blocked. Update via \`/team/unblock\` if you're an admin.`,
        'auth_error',
      );
    if (team && model && team.models.length > 0 && !team.models.includes(model))
      return proxyError(
        401,
        `Team not allowed to access model. Team=${team.team_id}, Model=${model}. Allowed team models = ${JSON.stringify(team.models)}`,
        'team_model_access_denied',
        'model',
      );
    if (team && team.max_budget != null && team.spend > team.max_budget)
      return this.budgetExceeded(
        `Budget has been exceeded! Team=${team.team_id} Current cost: ${py(team.spend)}, Max budget: ${py(team.max_budget)}`,
      );
    // A user's own budget binds only keys without a team (common_checks 4.1).
    if (!team && user && user.max_budget != null && user.spend >= user.max_budget)
      return this.budgetExceeded(
        `ExceededBudget: User=${user.user_id} over budget. Spend=${py(user.spend)}, Budget=${py(user.max_budget)}`,
      );
    if (endUser?.blocked === true)
      return proxyError(401, `Authentication Error, End User=${endUser.user_id} is blocked.`, 'auth_error');
    const endBudget = endUser?.litellm_budget_table?.max_budget;
    if (endBudget != null && endUser.spend > endBudget)
      return this.budgetExceeded(
        `ExceededBudget: End User=${endUser.user_id} over budget. Spend=${py(endUser.spend)}, Budget=${py(endBudget)}`,
      );
    return null;
  }

  private budgetExceeded(message: string): Out {
    return proxyError(this.t.settings.budgetExceededStatus, message, 'budget_exceeded');
  }

  private currentWindow(token: string) {
    const minute = Math.floor(this.t.nowMs() / 60_000);
    let w = this.window.get(token);
    if (!w || w.minute !== minute) {
      w = { minute, requests: 0, tokens: 0 };
      this.window.set(token, w);
    }
    return w;
  }

  private countWindow(token: string, tokens: number) {
    const w = this.currentWindow(token);
    w.requests += 1;
    w.tokens += tokens;
  }
}
