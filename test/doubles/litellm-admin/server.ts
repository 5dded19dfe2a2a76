import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type DataPlaneSettings, EnforcingDataPlane, durationSeconds, proxyError } from './data-plane.ts';

/**
 * A local stand-in for LiteLLM's admin (management) API: real HTTP on 127.0.0.1, LiteLLM's field
 * names, status codes and both error shapes (`{"error":{message,type,param,code}}` and FastAPI's
 * `{"detail":…}`). Switches: `db` (DB-off mode), `goDown('refused' | '500')` / `comeBack()`.
 * It also serves `/chat/completions` the way LiteLLM enforces keys, budgets and limits against
 * the same tables (./data-plane.ts), so a budget written here is a budget obeyed here.
 */
export interface AdminCall {
  method: string;
  path: string;
  body: any;
  requestId: string | undefined;
}

interface KeyRow {
  token: string;
  key_alias: string | null;
  key_name: string;
  user_id: string | null;
  team_id: string | null;
  models: string[];
  max_budget: number | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  metadata: Record<string, unknown>;
  blocked: boolean | null;
  expires: string | null;
  spend: number;
  budget_duration: string | null;
  budget_reset_at: string | null;
}

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

const detail = (status: number, error: string) => ({ status, body: { detail: { error } } });

export class LiteLLMAdminDouble {
  readonly masterKey: string;
  /** false = DB-off mode: management endpoints fail as LiteLLM does without DATABASE_URL. */
  db = true;
  /** Reject a key's own alias re-sent on /key/update (LiteLLM v1.92 behaviour). */
  rejectOwnAliasOnUpdate = true;
  readonly calls: AdminCall[] = [];
  readonly teams = new Map<string, any>();
  readonly users = new Map<string, any>();
  readonly customers = new Map<string, any>();
  readonly keys = new Map<string, KeyRow>();
  readonly settings: DataPlaneSettings;
  /** The double's clock (key expiry, rpm/tpm minutes, budget resets); tests may replace it. */
  nowMs: () => number = () => Date.now();
  readonly dataPlane: EnforcingDataPlane;
  private mode: 'up' | 'refused' | '500' = 'up';
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(opts: { masterKey?: string; settings?: Partial<DataPlaneSettings> } = {}) {
    this.masterKey = opts.masterKey ?? 'sk-master-test-1234';
    this.settings = {
      budgetExceededStatus: 400,
      inputUsdPerToken: 0.000001,
      outputUsdPerToken: 0.000001,
      promptTokens: 10,
      completionTokens: 20,
      ...opts.settings,
    };
    this.dataPlane = new EnforcingDataPlane({
      masterKey: this.masterKey,
      settings: this.settings,
      keys: this.keys,
      teams: this.teams,
      users: this.users,
      customers: this.customers,
      nowMs: () => this.nowMs(),
    });
    this.server = this.makeServer();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private makeServer() {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** 'refused': the port stops listening (ECONNREFUSED); '500': every call answers 500. */
  async goDown(how: 'refused' | '500' = 'refused'): Promise<void> {
    this.mode = how;
    if (how === 'refused') await this.close();
  }

  async comeBack(): Promise<void> {
    if (this.mode === 'refused') {
      this.server = this.makeServer();
      await this.start();
    }
    this.mode = 'up';
  }

  /** Test hook: LiteLLM's own spend counter for a user or team (what /user/info, /team/info report). */
  setSpend(kind: 'user' | 'team', id: string, usd: number): void {
    const row = (kind === 'user' ? this.users : this.teams).get(id);
    if (!row) throw new Error(`no ${kind} ${id}`);
    row.spend = usd;
  }

  keyByAlias(alias: string): KeyRow | undefined {
    return [...this.keys.values()].find((k) => k.key_alias === alias);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const h = req.headers['x-request-id'];
    this.calls.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      body,
      requestId: Array.isArray(h) ? h[0] : h,
    });
    const inference = req.method === 'POST' && /^(\/v1)?\/chat\/completions$/.test(url.pathname);
    const out: { status: number; body: unknown; headers?: Record<string, string> } =
      this.mode === '500'
        ? proxyError(500, 'Internal Server Error', 'internal_server_error')
        : inference
          ? this.dataPlane.chat(req.headers, body)
          : this.route(req, url, body);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
    res.end(JSON.stringify(out.body));
  }

  private route(req: http.IncomingMessage, url: URL, body: any): { status: number; body: unknown } {
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    if (!token) return proxyError(401, 'Authentication Error, No api key passed in.', 'auth_error');
    if (!token.startsWith('sk-'))
      return proxyError(
        401,
        `Authentication Error, LiteLLM Virtual Key expected. Received=${token.slice(0, 4)}..., expected to start with 'sk-'.`,
        'auth_error',
      );
    if (token !== this.masterKey)
      return proxyError(401, 'Authentication Error, Invalid proxy server token passed.', 'auth_error');
    const route = `${req.method} ${url.pathname}`;
    if (!this.db) return this.dbOff(url.pathname);
    switch (route) {
      case 'POST /team/new':
        return this.teamNew(body);
      case 'POST /team/update':
        return this.teamUpdate(body);
      case 'POST /team/delete':
        return this.teamDelete(body);
      case 'GET /team/info':
        return this.teamInfo(url.searchParams.get('team_id'));
      case 'POST /user/new':
        return this.userNew(body);
      case 'POST /user/update':
        return this.userUpdate(body);
      case 'POST /user/delete':
        for (const id of body?.user_ids ?? []) this.users.delete(id);
        return { status: 200, body: { deleted_users: body?.user_ids ?? [] } };
      case 'GET /user/info': {
        const u = this.users.get(url.searchParams.get('user_id') ?? '');
        if (!u) return detail(404, `User ${url.searchParams.get('user_id')} not found`);
        const keys = [...this.keys.values()].filter((k) => k.user_id === u.user_id);
        return { status: 200, body: { user_id: u.user_id, user_info: u, keys, teams: [] } };
      }
      case 'POST /customer/new':
        return this.customerNew(body);
      case 'POST /customer/update': {
        const c = this.customers.get(body?.user_id);
        if (!c) return proxyError(404, `End User Id=${body?.user_id} does not exist in db`, 'not_found');
        Object.assign(c, pick(body, ['alias', 'blocked', 'metadata']));
        if (body?.max_budget !== undefined)
          c.litellm_budget_table = { ...(c.litellm_budget_table ?? {}), max_budget: body.max_budget };
        return { status: 200, body: c };
      }
      case 'POST /customer/delete':
        for (const id of body?.user_ids ?? []) this.customers.delete(id);
        return { status: 200, body: { deleted_customers: body?.user_ids ?? [] } };
      case 'POST /key/generate':
        return this.keyGenerate(body);
      case 'POST /key/update':
        return this.keyUpdate(body);
      case 'POST /key/delete':
        return this.keyDelete(body);
      case 'GET /key/info': {
        const k = this.findKey(url.searchParams.get('key') ?? '');
        if (!k) return detail(404, `Key not found in database. key=${url.searchParams.get('key')}`);
        return { status: 200, body: { key: k.token, info: { ...k } } };
      }
      default:
        return { status: 404, body: { detail: 'Not Found' } };
    }
  }

  private dbOff(path: string) {
    if (path === '/key/generate' || path === '/customer/new')
      return {
        status: 500,
        body: { error: 'DB not connected. See https://docs.litellm.ai/docs/proxy/virtual_keys' },
      };
    if (path === '/user/new')
      return proxyError(400, 'Database not connected. Connect a database to your proxy', 'bad_request_error');
    if (path === '/team/new') return proxyError(500, 'No db connected', 'internal_server_error');
    if (path.startsWith('/key/')) return proxyError(500, 'Not connected to DB!', 'internal_server_error');
    return proxyError(500, 'Database not connected', 'internal_server_error');
  }

  private teamNew(b: any) {
    const team_id = b?.team_id ?? randomUuid();
    if (this.teams.has(team_id))
      return detail(400, `Team id = ${team_id} already exists. Please use a different team id.`);
    const row = {
      team_id,
      team_alias: b?.team_alias ?? null,
      models: b?.models ?? [],
      max_budget: b?.max_budget ?? null,
      blocked: b?.blocked ?? false,
      metadata: b?.metadata ?? {},
      spend: 0,
      ...this.budgetWindow(b?.budget_duration),
    };
    this.teams.set(team_id, row);
    return { status: 200, body: row };
  }

  private teamUpdate(b: any) {
    const row = this.teams.get(b?.team_id);
    if (!row) return detail(400, `Team not found, passed team_id=${b?.team_id}`);
    Object.assign(row, pick(b, ['team_alias', 'models', 'max_budget', 'blocked', 'metadata']));
    if (b?.budget_duration !== undefined) Object.assign(row, this.budgetWindow(b.budget_duration));
    return { status: 200, body: { team_id: row.team_id, data: row } };
  }

  private teamDelete(b: any) {
    const ids: string[] = b?.team_ids ?? [];
    const missing = ids.filter((id) => !this.teams.has(id));
    if (missing.length) return detail(404, `Team not found, passed team_id=${missing[0]}`);
    for (const id of ids) {
      this.teams.delete(id);
      for (const [t, k] of this.keys) if (k.team_id === id) this.keys.delete(t);
    }
    return { status: 200, body: { deleted_teams: ids } };
  }

  private teamInfo(teamId: string | null) {
    const row = teamId ? this.teams.get(teamId) : undefined;
    if (!row) return detail(404, `Team not found, passed team id: ${teamId}.`);
    const keys = [...this.keys.values()].filter((k) => k.team_id === teamId);
    return { status: 200, body: { team_id: row.team_id, team_info: row, keys, team_memberships: [] } };
  }

  private userNew(b: any) {
    const user_id = b?.user_id ?? randomUuid();
    if (this.users.has(user_id))
      return proxyError(400, `User with id=${user_id} already exists`, 'bad_request_error', 'user_id');
    const row = {
      user_id,
      user_email: b?.user_email ?? null,
      user_role: b?.user_role ?? 'internal_user',
      models: b?.models ?? [],
      max_budget: b?.max_budget ?? null,
      metadata: b?.metadata ?? {},
      spend: 0,
      ...this.budgetWindow(b?.budget_duration),
    };
    this.users.set(user_id, row);
    let key: string | null = null;
    if (b?.auto_create_key !== false) {
      key = `sk-${randomBytes(16).toString('base64url')}`;
      this.keys.set(sha256(key), this.newKeyRow(key, { user_id }));
    }
    return { status: 200, body: { ...row, key } };
  }

  private userUpdate(b: any) {
    const row = this.users.get(b?.user_id);
    if (!row) return proxyError(404, `User not found, passed user_id=${b?.user_id}`, 'not_found');
    Object.assign(row, pick(b, ['user_email', 'models', 'max_budget', 'metadata']));
    if (b?.budget_duration !== undefined) Object.assign(row, this.budgetWindow(b.budget_duration));
    return { status: 200, body: row };
  }

  private customerNew(b: any) {
    if (!b?.user_id) return proxyError(400, 'user_id is required', 'bad_request_error', 'user_id');
    if (this.customers.has(b.user_id))
      return detail(400, `Customer already exists, passed user_id=${b.user_id}`);
    const row = {
      user_id: b.user_id,
      alias: b.alias ?? null,
      blocked: b.blocked ?? false,
      metadata: b.metadata ?? {},
      spend: 0,
      litellm_budget_table: b.max_budget != null ? { max_budget: b.max_budget } : null,
    };
    this.customers.set(b.user_id, row);
    return { status: 200, body: row };
  }

  private newKeyRow(key: string, b: any): KeyRow {
    return {
      token: sha256(key),
      key_alias: b?.key_alias ?? null,
      key_name: `sk-...${key.slice(-4)}`,
      user_id: b?.user_id ?? null,
      team_id: b?.team_id ?? null,
      models: b?.models ?? [],
      max_budget: b?.max_budget ?? null,
      rpm_limit: b?.rpm_limit ?? null,
      tpm_limit: b?.tpm_limit ?? null,
      metadata: b?.metadata ?? {},
      blocked: b?.blocked ?? null,
      expires:
        typeof b?.duration === 'string' && b.duration !== '-1'
          ? new Date(this.nowMs() + durationSeconds(b.duration) * 1000).toISOString()
          : null,
      spend: 0,
      ...this.budgetWindow(b?.budget_duration),
    };
  }

  /** budget_duration and the first budget_reset_at, as LiteLLM stores them. */
  private budgetWindow(duration: unknown): {
    budget_duration: string | null;
    budget_reset_at: string | null;
  } {
    if (typeof duration !== 'string' || !duration) return { budget_duration: null, budget_reset_at: null };
    return {
      budget_duration: duration,
      budget_reset_at: new Date(this.nowMs() + durationSeconds(duration) * 1000).toISOString(),
    };
  }

  private keyGenerate(b: any) {
    if (b?.key_alias && this.keyByAlias(b.key_alias))
      return proxyError(
        400,
        `Unique key aliases across all keys are required. Key alias=${b.key_alias} already exists.`,
        'bad_request_error',
        'key_alias',
      );
    if (b?.team_id && !this.teams.has(b.team_id))
      return proxyError(400, `Team not found, passed team_id=${b.team_id}`, 'bad_request_error', 'team_id');
    const key: string = b?.key ?? `sk-${randomBytes(16).toString('base64url')}`;
    if (!key.startsWith('sk-'))
      return proxyError(
        400,
        "Invalid key format. LiteLLM Virtual Key must start with 'sk-'.",
        'bad_request_error',
        'key',
      );
    if (this.keys.has(sha256(key))) return proxyError(400, 'Key already exists', 'bad_request_error', 'key');
    const row = this.newKeyRow(key, b);
    this.keys.set(row.token, row);
    return { status: 200, body: { ...row, key, token_id: row.token } };
  }

  private findKey(keyOrHash: string): KeyRow | undefined {
    return this.keys.get(keyOrHash) ?? this.keys.get(sha256(keyOrHash));
  }

  private keyUpdate(b: any) {
    const row = this.findKey(b?.key ?? '');
    if (!row) return proxyError(404, `Key not found: ${b?.key}`, 'not_found_error', 'key');
    if (b.key_alias !== undefined && b.key_alias !== null) {
      const other = this.keyByAlias(b.key_alias);
      if (other && (other !== row || this.rejectOwnAliasOnUpdate))
        return proxyError(
          400,
          `Unique key aliases across all keys are required. Key alias=${b.key_alias} already exists.`,
          'bad_request_error',
          'key_alias',
        );
    }
    // metadata is replaced as a whole, not merged.
    Object.assign(
      row,
      pick(b, [
        'key_alias',
        'user_id',
        'team_id',
        'models',
        'max_budget',
        'rpm_limit',
        'tpm_limit',
        'metadata',
        'blocked',
      ]),
    );
    if (b.budget_duration !== undefined) Object.assign(row, this.budgetWindow(b.budget_duration));
    if (typeof b.duration === 'string')
      row.expires =
        b.duration === '-1'
          ? null
          : new Date(this.nowMs() + durationSeconds(b.duration) * 1000).toISOString();
    return { status: 200, body: { key: row.token, ...row } };
  }

  private keyDelete(b: any) {
    const list: string[] = b?.keys ?? [];
    const aliases: string[] = b?.key_aliases ?? [];
    const rows = [...list.map((k) => this.findKey(k)), ...aliases.map((a) => this.keyByAlias(a))];
    if (rows.some((r) => !r))
      return proxyError(
        404,
        `Failed to delete all keys. Keys passed in request: ${list.length + aliases.length}. Keys deleted: 0`,
        'not_found_error',
        'keys',
      );
    for (const r of rows) this.keys.delete(r!.token);
    return { status: 200, body: { deleted_keys: list.length ? list : aliases } };
  }
}

function pick(b: any, fields: string[]) {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (b && b[f] !== undefined) out[f] = b[f];
  return out;
}

function randomUuid() {
  return crypto.randomUUID();
}
