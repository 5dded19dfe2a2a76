import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LiteLLMAdminDouble } from '../../../doubles/litellm-admin/index.ts';

/** The LiteLLM double enforces what LiteLLM enforces, over real HTTP (test/doubles/litellm-admin/data-plane.ts). */
describe('LiteLLM double: enforcement on /chat/completions', () => {
  let litellm: LiteLLMAdminDouble;
  let seq = 0;
  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${litellm.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${litellm.masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${path} ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const chat = async (key: string, body: Record<string, unknown> = {}, path = '/v1/chat/completions') => {
    const res = await fetch(`${litellm.url}${path}`, {
      method: 'POST',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  /** A fresh team, user and key; a request costs 10 × 0.5 + max_tokens (default 20) × 0.25 USD. */
  const setup = async (key: Record<string, unknown> = {}, team: Record<string, unknown> = {}) => {
    const id = ++seq;
    await admin('/team/new', { team_id: `team-${id}`, ...team });
    await admin('/user/new', { user_id: `user-${id}`, auto_create_key: false });
    const k = await admin('/key/generate', { team_id: `team-${id}`, user_id: `user-${id}`, ...key });
    return { key: k.key as string, token: k.token as string, teamId: `team-${id}`, userId: `user-${id}` };
  };

  beforeAll(async () => {
    litellm = await new LiteLLMAdminDouble().start();
  });
  afterAll(() => litellm.close());
  beforeEach(() => {
    // Prices exact in binary, so sums of costs are exact and budgets can be hit on the dot.
    Object.assign(litellm.settings, {
      budgetExceededStatus: 400,
      inputUsdPerToken: 0.5,
      outputUsdPerToken: 0.25,
    });
    litellm.nowMs = () => Date.now();
  });

  it('adds each answer’s cost to the key, its user, its team and the end user', async () => {
    const s = await setup();
    const r = await chat(s.key, { max_tokens: 30, user: 'end-user-1' });
    expect(r.status).toBe(200);
    expect(r.body.usage).toEqual({ prompt_tokens: 10, completion_tokens: 30, total_tokens: 40 });
    expect(r.headers.get('x-litellm-response-cost')).toBe('12.5');
    await chat(s.key, { max_tokens: 10 }, '/chat/completions');
    expect(litellm.keys.get(s.token)!.spend).toBe(20);
    expect(litellm.users.get(s.userId)!.spend).toBe(20);
    expect(litellm.teams.get(s.teamId)!.spend).toBe(20);
    expect(litellm.customers.get('end-user-1')!.spend).toBe(12.5);
  });

  it('refuses a key at spend >= max_budget, in LiteLLM’s shape, 400 or 429 by build', async () => {
    const s = await setup({ max_budget: 15 });
    expect((await chat(s.key, { max_tokens: 10 })).status).toBe(200); // spend 7.5 < 15
    expect((await chat(s.key, { max_tokens: 10 })).status).toBe(200); // spend 15
    const r = await chat(s.key);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: {
        message: 'Budget has been exceeded! Current cost: 15.0, Max budget: 15.0',
        type: 'budget_exceeded',
        param: 'None',
        code: '400',
      },
    });
    litellm.settings.budgetExceededStatus = 429;
    expect((await chat(s.key)).body.error).toMatchObject({ type: 'budget_exceeded', code: '429' });
  });

  it('refuses a team only past its budget (spend > max_budget)', async () => {
    const s = await setup({}, { max_budget: 7.5 });
    expect((await chat(s.key, { max_tokens: 10 })).status).toBe(200); // team spend = budget
    expect((await chat(s.key, { max_tokens: 10 })).status).toBe(200);
    const r = await chat(s.key);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(new RegExp(`^Budget has been exceeded! Team=${s.teamId} `));
  });

  it('applies a user budget only to keys without a team', async () => {
    const s = await setup();
    await admin('/user/update', { user_id: s.userId, max_budget: 10 });
    const personal = await admin('/key/generate', { user_id: s.userId });
    expect((await chat(personal.key)).status).toBe(200);
    const r = await chat(personal.key);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(new RegExp(`^ExceededBudget: User=${s.userId} over budget`));
    // The same user's team key is not bound by it.
    expect((await chat(s.key)).status).toBe(200);
  });

  it('applies an end-user budget once its spend passes it', async () => {
    const s = await setup();
    await admin('/customer/new', { user_id: 'end-user-2', max_budget: 10 });
    expect((await chat(s.key, { user: 'end-user-2' })).status).toBe(200); // 10
    expect((await chat(s.key, { user: 'end-user-2' })).status).toBe(200); // 20
    const r = await chat(litellm.masterKey, { user: 'end-user-2' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^ExceededBudget: End User=end-user-2 over budget/);
  });

  it('enforces key models, blocked keys, expiry and unknown keys', async () => {
    const s = await setup({ models: ['gpt-4o'] });
    const m = await chat(s.key);
    expect(m.status).toBe(401);
    expect(m.body.error).toMatchObject({ type: 'key_model_access_denied', param: 'model' });
    expect((await chat(s.key, { model: 'gpt-4o' })).status).toBe(200);
    await admin('/key/update', { key: s.key, blocked: true });
    expect((await chat(s.key, { model: 'gpt-4o' })).body.error).toMatchObject({
      type: 'auth_error',
      code: '401',
    });
    const t = await setup({ duration: '60s' });
    litellm.nowMs = () => Date.now() + 61_000;
    expect((await chat(t.key)).body.error).toMatchObject({ type: 'expired_key', code: '400' });
    const u = await chat('sk-not-a-key');
    expect(u.status).toBe(401);
    expect(u.body.error.message).toMatch(/Invalid proxy server token passed/);
  });

  it('enforces rpm and tpm per minute', async () => {
    let now = Date.parse('2026-01-01T00:00:10Z');
    litellm.nowMs = () => now;
    const s = await setup({ rpm_limit: 2 });
    expect((await chat(s.key)).status).toBe(200);
    expect((await chat(s.key)).status).toBe(200);
    const r = await chat(s.key);
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ type: 'throttling_error', code: '429' });
    now += 60_000;
    expect((await chat(s.key)).status).toBe(200);
    const t = await setup({ tpm_limit: 50 });
    expect((await chat(t.key, { max_tokens: 40 })).status).toBe(200); // 50 tokens
    expect((await chat(t.key, { max_tokens: 1 })).status).toBe(429);
  });

  it('sets spend back to 0 when a budget_duration ends (the reset job)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    litellm.nowMs = () => now;
    const s = await setup({ max_budget: 10, budget_duration: '1d' });
    expect((await chat(s.key)).status).toBe(200);
    expect((await chat(s.key)).status).toBe(400);
    litellm.dataPlane.resetBudgets();
    expect((await chat(s.key)).status).toBe(400); // not due yet
    now += 86_400_000;
    litellm.dataPlane.resetBudgets();
    expect(litellm.keys.get(s.token)!.spend).toBe(0);
    expect((await chat(s.key)).status).toBe(200);
  });

  it('serves the master key without key checks', async () => {
    expect((await chat(litellm.masterKey)).status).toBe(200);
    expect((await chat('')).body.error.message).toBe('Authentication Error, No api key passed in.');
  });
});
