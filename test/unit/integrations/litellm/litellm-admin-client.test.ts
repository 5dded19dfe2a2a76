import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiteLLMAdminClient, LiteLLMAdminError } from '../../../../src/integrations/litellm/client.ts';
import { UsdAmount } from '../../../../src/integrations/litellm/usd.ts';
import { LiteLLMAdminDouble } from '../../../doubles/litellm-admin/index.ts';

/** The admin client against the double: both error shapes, uniqueness, metadata replacement, DB-off. */
describe('LiteLLM admin client and double', () => {
  let litellm: LiteLLMAdminDouble;
  let client: LiteLLMAdminClient;
  beforeAll(async () => {
    litellm = await new LiteLLMAdminDouble().start();
    client = new LiteLLMAdminClient({ baseUrl: litellm.url, masterKey: litellm.masterKey, timeoutMs: 2000 });
  });
  afterAll(() => litellm.close());

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: LiteLLMAdminError) => e,
    );

  it('rejects a wrong master key with 401 auth_error', async () => {
    const bad = new LiteLLMAdminClient({ baseUrl: litellm.url, masterKey: 'sk-wrong' });
    const e = await failure(bad.teamInfo('x'));
    expect(e).toBeInstanceOf(LiteLLMAdminError);
    expect([e.status, e.type, e.retryable]).toEqual([401, 'auth_error', false]);
    const notSk = new LiteLLMAdminClient({ baseUrl: litellm.url, masterKey: 'master' });
    expect((await failure(notSk.teamInfo('x'))).message).toContain("start with 'sk-'");
  });

  it('reads FastAPI detail errors: duplicate team id is "already exists"', async () => {
    await client.teamNew({ team_id: 'team-1', metadata: { a: 1 } });
    const e = await failure(client.teamNew({ team_id: 'team-1' }));
    expect([e.status, e.alreadyExists]).toEqual([400, true]);
    expect(e.body).toEqual({
      detail: { error: 'Team id = team-1 already exists. Please use a different team id.' },
    });
    expect((await failure(client.teamInfo('nope'))).notFound).toBe(true);
  });

  it('generates a key once: plaintext only from /key/generate, token = sha256, aliases unique', async () => {
    const g = await client.keyGenerate({
      key_alias: 'alias-1',
      team_id: 'team-1',
      max_budget: UsdAmount.fromNanos(1_500_000_000n),
    });
    expect(g.key).toMatch(/^sk-/);
    const info = await client.keyInfo(g.token);
    expect(info.info).toMatchObject({ key_alias: 'alias-1', max_budget: 1.5 });
    expect(JSON.stringify(info)).not.toContain(g.key);
    const dup = await failure(client.keyGenerate({ key_alias: 'alias-1' }));
    expect([dup.status, dup.type, dup.alreadyExists]).toEqual([400, 'bad_request_error', true]);
    const ownAlias = await failure(client.keyUpdate({ key: g.token, key_alias: 'alias-1' }));
    expect(ownAlias.status).toBe(400);
  });

  it('replaces metadata as a whole on /key/update', async () => {
    const g = await client.keyGenerate({ metadata: { keep: 'me', other: 1 } });
    await client.keyUpdate({ key: g.key, metadata: { other: 2 } });
    expect((await client.keyInfo(g.key)).info.metadata).toEqual({ other: 2 });
    expect((await failure(client.keyUpdate({ key: 'sk-unknown', models: [] }))).notFound).toBe(true);
  });

  it('fails management calls as LiteLLM does without a database', async () => {
    litellm.db = false;
    try {
      const gen = await failure(client.keyGenerate({}));
      expect([gen.status, gen.body]).toEqual([500, { error: expect.stringContaining('DB not connected') }]);
      const user = await failure(client.userNew({ user_id: 'u' }));
      // 400, yet worth retrying: a database can be attached later.
      expect([user.status, user.retryable]).toEqual([400, true]);
      expect((await failure(client.teamNew({ team_id: 't' }))).message).toContain('No db connected');
    } finally {
      litellm.db = true;
    }
  });

  it('goes down (connection refused, then 500s) and comes back', async () => {
    await litellm.goDown('refused');
    const refused = await failure(client.teamInfo('team-1'));
    expect([refused.status, refused.retryable]).toEqual([null, true]);
    await litellm.comeBack();
    await litellm.goDown('500');
    expect((await failure(client.teamInfo('team-1'))).status).toBe(500);
    await litellm.comeBack();
    await expect(client.teamInfo('team-1')).resolves.toMatchObject({ spend: 0 });
  });

  it('creates users without an auto-created key', async () => {
    const u = await client.userNew({ user_id: 'user-1', user_email: 'a@b.test' });
    expect(u.key).toBeNull();
    expect((await failure(client.userNew({ user_id: 'user-1' }))).alreadyExists).toBe(true);
  });
});
