import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const PASSWORD = 'operator password here';
const VIEWER = '{ viewer { isPlatformAdmin } }';

describe('TOTP_REQUIRED_FOR_OPERATORS', () => {
  let db: TestDatabase;
  let t: TestApp;
  let nowMs = Date.now();

  async function post(
    query: string,
    variables: Record<string, unknown>,
    s?: { cookie: string; csrf: string },
  ) {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(s ? { cookie: s.cookie, 'x-tollgate-csrf': s.csrf } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const pairs = res.headers.getSetCookie().map((l) => l.split(';', 1)[0]!);
    const csrf = pairs.find((p) => p.startsWith('tollgate_csrf='))?.slice('tollgate_csrf='.length);
    return {
      body: (await res.json()) as any,
      session: csrf ? { cookie: pairs.join('; '), csrf } : undefined,
    };
  }
  const signIn = (email: string, totpCode?: string) =>
    post('mutation($i: SignInInput!) { signIn(input: $i) { totpRequired } }', {
      i: { email, password: PASSWORD, ...(totpCode ? { totpCode } : {}) },
    });

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, {
      state: 'memory',
      clock: () => new Date(nowMs),
      env: {
        TOTP_REQUIRED_FOR_OPERATORS: 'true',
        TOLLGATE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '1000000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('gives an operator’s session the operator’s powers only once the operator has TOTP on', async () => {
    const email = `ops-${randomBytes(4).toString('hex')}@example.test`;
    await createPasswordUser(db.prisma, { email, password: PASSWORD, platformAdmin: true });
    const first = (await signIn(email)).session!;
    expect((await post(VIEWER, {}, first)).body.data.viewer.isPlatformAdmin).toBe(false);
    // An operator-only field is refused to this session.
    const orgs = await post('{ outboxDeliveries(first: 1) { edges { cursor } } }', {}, first);
    expect(orgs.body.errors?.[0]?.extensions?.code).toBe('SCOPE_NOT_ALLOWED');

    const started = await post('mutation { startTotpEnrollment { secret } }', {}, first);
    const secret = Secret.fromBase32(started.body.data.startTotpEnrollment.secret);
    const confirm = await post(
      'mutation($c: String!) { confirmTotpEnrollment(code: $c) }',
      { c: TOTP.generate({ secret, timestamp: nowMs }) },
      first,
    );
    expect(confirm.body.data).toEqual({ confirmTotpEnrollment: true });
    expect((await post(VIEWER, {}, first)).body.data.viewer.isPlatformAdmin).toBe(true);
    expect(
      (await post('{ outboxDeliveries(first: 1) { edges { cursor } } }', {}, first)).body.errors,
    ).toBeUndefined();

    nowMs += 30_000;
    const second = await signIn(email, TOTP.generate({ secret, timestamp: nowMs }));
    expect((await post(VIEWER, {}, second.session!)).body.data.viewer.isPlatformAdmin).toBe(true);

    // Turning TOTP off takes the powers away again, at the next request.
    nowMs += 30_000;
    await post(
      'mutation($c: String!) { disableTotp(code: $c) }',
      { c: TOTP.generate({ secret, timestamp: nowMs }) },
      first,
    );
    expect((await post(VIEWER, {}, second.session!)).body.data.viewer.isPlatformAdmin).toBe(false);
  });
});
