import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { signInOverHttp } from '../../helpers/session.ts';

const PASSWORD = 'correct horse battery staple';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { totpRequired viewer { kind } } }';
const VIEWER =
  '{ viewer { kind role scopes sessionId isPlatformAdmin totpEnabled apiKeyId organization { slug } organizations { role organization { slug } } } }';
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const codes = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

describe('sign-in over HTTP', () => {
  let db: TestDatabase;
  let t: TestApp;
  let nowMs = Date.now();
  let orgA: string;
  let orgB: string;

  /** A GraphQL POST as a browser sends it: cookies, optional CSRF header, no bearer. */
  async function browser(
    query: string,
    variables: Record<string, unknown> = {},
    o: { cookie?: string; csrf?: string; origin?: string; headers?: Record<string, string> } = {},
  ) {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...(o.csrf ? { 'x-tollgate-csrf': o.csrf } : {}),
        ...(o.origin ? { origin: o.origin } : {}),
        ...o.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { res, body: (await res.json()) as any, setCookies: res.headers.getSetCookie() };
  }

  const newEmail = () => `p-${randomBytes(4).toString('hex')}@example.test`;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, {
      state: 'memory',
      clock: () => new Date(nowMs),
      env: {
        SIGN_IN_FAILURES_PER_EMAIL: '3',
        SIGN_IN_FAILURES_PER_ADDRESS: '1000',
        // Every sign-in here comes from 127.0.0.1: the anonymous cost budget would stop them first.
        GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '1000000',
      },
    });
    for (const slug of ['alpha', 'beta']) {
      const r = await t.gql(
        `mutation { createOrganization(input:{name:"${slug}", slug:"${slug}", ownerEmail:"owner@${slug}.test"}) { id } }`,
      );
      if (slug === 'alpha') orgA = rawId(r.data.createOrganization.id);
      else orgB = rawId(r.data.createOrganization.id);
    }
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('signs in, sets an HttpOnly session cookie and a readable CSRF cookie, and the cookie then authenticates', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA, role: 'owner' });
    const signed = await browser(SIGN_IN, {
      input: { email: `  ${email.toUpperCase()} `, password: PASSWORD },
    });
    expect(signed.body.errors).toBeUndefined();
    expect(signed.body.data.signIn).toEqual({ totpRequired: false, viewer: { kind: 'session' } });
    const session = signed.setCookies.find((c) => c.startsWith('tollgate_session='))!;
    const csrf = signed.setCookies.find((c) => c.startsWith('tollgate_csrf='))!;
    expect(session).toMatch(/; Path=\/; SameSite=Lax; Max-Age=2592000; HttpOnly$/);
    expect(csrf).not.toContain('HttpOnly');
    // Plain http on loopback: SESSION_COOKIE_SECURE=auto leaves Secure off, or the cookie would never return.
    expect(session).not.toContain('Secure');

    const { cookie, csrf: token } = await signInOverHttp(t.url, email, PASSWORD);
    const viewer = await browser(VIEWER, {}, { cookie, csrf: token });
    expect(viewer.body.errors).toBeUndefined();
    expect(viewer.body.data.viewer).toMatchObject({
      kind: 'session',
      role: 'OWNER',
      scopes: ['READ', 'MANAGE', 'BILLING'],
      isPlatformAdmin: false,
      totpEnabled: false,
      apiKeyId: null,
      organization: { slug: 'alpha' },
      organizations: [{ role: 'OWNER', organization: { slug: 'alpha' } }],
    });
    expect(viewer.body.data.viewer.sessionId).toBeTruthy();
    // Only hashes are stored.
    const row = await db.prisma.userSession.findUniqueOrThrow({
      where: { id: viewer.body.data.viewer.sessionId },
    });
    expect(JSON.stringify(row)).not.toContain(cookie.split(';')[0]!.split('=')[1]);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('answers a wrong password and an unknown email alike: UNAUTHENTICATED with INVALID_CREDENTIALS', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA, role: 'member' });
    const wrong = await browser(SIGN_IN, { input: { email, password: 'not the password at all' } });
    const unknown = await browser(SIGN_IN, { input: { email: newEmail(), password: PASSWORD } });
    const malformed = await browser(SIGN_IN, { input: { email: 'not-an-email', password: PASSWORD } });
    const huge = await browser(SIGN_IN, { input: { email, password: `${PASSWORD}${'x'.repeat(200_000)}` } });
    for (const r of [wrong, unknown, malformed, huge]) {
      expect(codes(r.body)).toEqual(['INVALID_CREDENTIALS']);
      expect(r.body.errors[0].message).toBe(wrong.body.errors[0].message);
      expect(r.setCookies).toEqual([]);
    }
  });

  it('refuses a cookie-authenticated request without the CSRF header, and it changes nothing', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA, role: 'owner' });
    const { cookie, csrf } = await signInOverHttp(t.url, email, PASSWORD);
    const create = `mutation($o: ID!) { createTeam(input: { organizationId: $o, name: "csrf-probe" }) { id } }`;
    const before = await db.prisma.team.count({ where: { name: 'csrf-probe' } });
    for (const header of [undefined, 'wrong-token', `${csrf}x`]) {
      const r = await browser(create, { o: orgA }, { cookie, ...(header ? { csrf: header } : {}) });
      expect(codes(r.body)).toEqual(['CSRF_TOKEN_INVALID']);
    }
    const viewer = await browser(VIEWER, {}, { cookie });
    expect(codes(viewer.body)).toEqual(['CSRF_TOKEN_INVALID']);
    expect(await db.prisma.team.count({ where: { name: 'csrf-probe' } })).toBe(before);
    // Another session's CSRF token does not fit this one.
    const other = await signInOverHttp(t.url, email, PASSWORD);
    const crossed = await browser(VIEWER, {}, { cookie, csrf: other.csrf });
    expect(codes(crossed.body)).toEqual(['CSRF_TOKEN_INVALID']);
  });

  it('signOut revokes the session and clears the cookies; the old cookie is dead', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
    const { cookie, csrf } = await signInOverHttp(t.url, email, PASSWORD);
    const out = await browser('mutation { signOut }', {}, { cookie, csrf });
    expect(out.body.data.signOut).toBe(true);
    expect(out.setCookies.some((c) => c.startsWith('tollgate_session=;') && c.includes('Max-Age=0'))).toBe(
      true,
    );
    const after = await browser(VIEWER, {}, { cookie, csrf });
    expect(codes(after.body)).toEqual(['SESSION_EXPIRED']);
    // Signing in again with the dead cookie still present works.
    const again = await browser(SIGN_IN, { input: { email, password: PASSWORD } }, { cookie });
    expect(again.body.data.signIn.viewer.kind).toBe('session');
  });

  it('ends a session after its idle time and after its absolute lifetime, however active', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
    const start = nowMs;
    try {
      const idle = await signInOverHttp(t.url, email, PASSWORD);
      nowMs += 7 * 86_400_000 + 1_000;
      expect(codes((await browser(VIEWER, {}, idle)).body)).toEqual(['SESSION_EXPIRED']);

      const active = await signInOverHttp(t.url, email, PASSWORD);
      // Used every 6 days: the idle expiry moves, the absolute one (30 days) does not.
      for (let day = 6; day < 30; day += 6) {
        nowMs += 6 * 86_400_000;
        expect((await browser(VIEWER, {}, active)).body.data?.viewer.kind).toBe('session');
        // The last-seen write (which moves the idle expiry) is not awaited by the request: wait for
        // it, or the next request can read the old expiry on a busy machine.
        const seenAt = new Date(nowMs);
        await vi.waitFor(async () =>
          expect(
            await db.prisma.userSession.count({
              where: { user: { credential: { email } }, lastSeenAt: seenAt },
            }),
          ).toBe(1),
        );
      }
      nowMs += 6 * 86_400_000;
      expect(codes((await browser(VIEWER, {}, active)).body)).toEqual(['SESSION_EXPIRED']);
    } finally {
      nowMs = start;
    }
  });

  it('limits failed sign-ins per email: after the limit even the right password is refused with RATE_LIMITED', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
    for (let i = 0; i < 3; i++)
      expect(
        codes((await browser(SIGN_IN, { input: { email, password: `wrong-${i}-password` } })).body),
      ).toEqual(['INVALID_CREDENTIALS']);
    const right = await browser(SIGN_IN, { input: { email, password: PASSWORD } });
    expect(codes(right.body)).toEqual(['RATE_LIMITED']);
    expect(right.body.errors[0].extensions.details.retry_after_seconds).toBeGreaterThan(0);
    expect(right.setCookies).toEqual([]);
    // The window ends: the right password works again.
    const start = nowMs;
    nowMs += 900_000;
    try {
      expect(
        (await browser(SIGN_IN, { input: { email, password: PASSWORD } })).body.data.signIn.viewer.kind,
      ).toBe('session');
    } finally {
      nowMs = start;
    }
  });

  it('refuses a sign-in posted from another origin (login CSRF), and ignores a session cookie sent from one', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
    const posted = await browser(
      SIGN_IN,
      { input: { email, password: PASSWORD } },
      { origin: 'https://evil.example' },
    );
    expect(codes(posted.body)).toEqual(['FOREIGN_ORIGIN']);
    expect(posted.setCookies).toEqual([]);
    const { cookie, csrf } = await signInOverHttp(t.url, email, PASSWORD);
    const own = await browser(VIEWER, {}, { cookie, csrf, origin: t.url });
    expect(own.body.data.viewer.kind).toBe('session');
    const foreign = await browser(VIEWER, {}, { cookie, csrf, origin: 'https://evil.example' });
    expect(codes(foreign.body)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a bearer credential win over a session cookie', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
    const { cookie, csrf } = await signInOverHttp(t.url, email, PASSWORD);
    const r = await t.gql('{ viewer { kind } }', {}, { headers: { cookie, 'x-tollgate-csrf': csrf } });
    expect(r.data.viewer.kind).toBe('platform_admin');
  });

  it('selects an organization the user belongs to, and refuses a foreign one with NOT_FOUND', async () => {
    const email = newEmail();
    const { userId } = await createPasswordUser(db.prisma, {
      email,
      password: PASSWORD,
      organizationId: orgA,
      role: 'owner',
    });
    await db.prisma.membership.create({
      data: { id: `mem_${randomBytes(6).toString('hex')}`, organizationId: orgB, userId, role: 'member' },
    });
    const s = await signInOverHttp(t.url, email, PASSWORD);
    const orgBGlobal = Buffer.from(`Organization:${orgB}`).toString('base64');
    const selected = await browser(
      'mutation($o: ID!) { selectOrganization(organizationId: $o) { role scopes organization { slug } } }',
      { o: orgBGlobal },
      s,
    );
    expect(selected.body.data.selectOrganization).toEqual({
      role: 'MEMBER',
      scopes: ['READ'],
      organization: { slug: 'beta' },
    });
    // A member of beta cannot manage it.
    const team = await browser(
      'mutation($o: ID!) { createTeam(input: { organizationId: $o, name: "x" }) { id } }',
      { o: orgBGlobal },
      s,
    );
    expect(codes(team.body)).toEqual(['SCOPE_NOT_ALLOWED']);

    const stranger = newEmail();
    await createPasswordUser(db.prisma, { email: stranger, password: PASSWORD, organizationId: orgA });
    const st = await signInOverHttp(t.url, stranger, PASSWORD);
    const refused = await browser(
      'mutation($o: ID!) { selectOrganization(organizationId: $o) { role } }',
      { o: orgBGlobal },
      st,
    );
    expect(codes(refused.body)).toEqual(['NOT_FOUND']);
    const still = await browser('{ viewer { organization { slug } } }', {}, st);
    expect(still.body.data.viewer.organization.slug).toBe('alpha');
  });

  it('keeps /v1 closed to a session cookie (no inference with a cookie)', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
    const { cookie, csrf } = await signInOverHttp(t.url, email, PASSWORD);
    const res = await fetch(`${t.url}/v1/models`, { headers: { cookie, 'x-tollgate-csrf': csrf } });
    expect(res.status).toBe(401);
  });

  it('answers authSettings without any credential', async () => {
    const r = await browser('{ authSettings { signUpOpen } }');
    expect(r.body).toMatchObject({ data: { authSettings: { signUpOpen: false } } });
  });

  describe('graphql-ws', () => {
    const wsClient = (o: { cookie: string; csrf?: string; origin?: string }) =>
      createClient({
        url: `${t.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: class extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, {
              headers: { cookie: o.cookie },
              ...(o.origin ? { origin: o.origin } : {}),
            });
          }
        },
        connectionParams: o.csrf ? { 'x-tollgate-csrf': o.csrf } : {},
        retryAttempts: 0,
      });

    async function subscribe(client: ReturnType<typeof createClient>, walletId: string) {
      const received: any[] = [];
      const ended = new Promise<unknown>((resolve) => {
        client.subscribe(
          {
            query: 'subscription($id: ID!) { balanceChanged(walletId: $id) { reason } }',
            variables: { id: walletId },
          },
          { next: (m) => received.push(m), error: (e) => resolve(e), complete: () => resolve('complete') },
        );
      });
      return { received, ended };
    }

    async function wallet() {
      return t.app.services.ledger.ensureWallet({
        organizationId: orgA,
        ownerType: 'organization',
        ownerId: orgA,
        currency: 'USD',
      });
    }

    async function probeUntilLive(walletId: string, received: unknown[]) {
      for (let i = 0; received.length === 0 && i < 100; i++) {
        await t.app.services.ledger.grant({
          walletId,
          amountNanos: 1n,
          idempotencyKey: `ws-probe-${randomBytes(6).toString('hex')}`,
          description: 'subscription probe',
        });
        await expect.poll(() => received.length, { timeout: 200 }).toBeGreaterThanOrEqual(0);
        if (received.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(received.length).toBeGreaterThan(0);
    }

    it('authenticates a subscription by the cookie and the CSRF connection param, and ends it when the session is revoked', async () => {
      const email = newEmail();
      await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA, role: 'owner' });
      const s = await signInOverHttp(t.url, email, PASSWORD);
      const w = await wallet();
      const client = wsClient(s);
      const sub = await subscribe(client, w.id);
      await probeUntilLive(w.id, sub.received);
      expect(codes(sub.received[0])).toEqual([]);
      const out = await browser('mutation { signOut }', {}, s);
      expect(out.body.data.signOut).toBe(true);
      expect(await sub.ended).toBe('complete');
      expect(codes(sub.received.at(-1))).toEqual(['SESSION_EXPIRED']);
      client.dispose();
    });

    it('ends a subscription with CREDENTIAL_CHANGED when its session selects another organization', async () => {
      const email = newEmail();
      const { userId } = await createPasswordUser(db.prisma, {
        email,
        password: PASSWORD,
        organizationId: orgA,
        role: 'owner',
      });
      await db.prisma.membership.create({
        data: { id: `mem_${randomBytes(6).toString('hex')}`, organizationId: orgB, userId, role: 'member' },
      });
      const s = await signInOverHttp(t.url, email, PASSWORD);
      const w = await wallet();
      const client = wsClient(s);
      const sub = await subscribe(client, w.id);
      await probeUntilLive(w.id, sub.received);
      const moved = await browser(
        'mutation($o: ID!) { selectOrganization(organizationId: $o) { role } }',
        { o: Buffer.from(`Organization:${orgB}`).toString('base64') },
        s,
      );
      expect(moved.body.data.selectOrganization.role).toBe('MEMBER');
      expect(await sub.ended).toBe('complete');
      expect(codes(sub.received.at(-1))).toEqual(['CREDENTIAL_CHANGED']);
      client.dispose();
    });

    it('refuses a subscription by cookie without the CSRF connection param', async () => {
      const email = newEmail();
      await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA, role: 'owner' });
      const s = await signInOverHttp(t.url, email, PASSWORD);
      const w = await wallet();
      const client = wsClient({ cookie: s.cookie });
      const sub = await subscribe(client, w.id);
      await sub.ended;
      expect(codes(sub.received[0] ?? {})).toEqual(['CSRF_TOKEN_INVALID']);
      client.dispose();
    });

    it('refuses a WebSocket upgrade from a foreign Origin (cross-site WebSocket hijacking)', async () => {
      const email = newEmail();
      await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: orgA });
      const s = await signInOverHttp(t.url, email, PASSWORD);
      const status = await new Promise<number | string>((resolve) => {
        const ws = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
          headers: { cookie: s.cookie },
          origin: 'https://evil.example',
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve('open'));
        ws.on('error', (e) => resolve(String(e)));
      });
      expect(status).toBe(403);
    });
  });
});
