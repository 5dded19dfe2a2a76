import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordUser } from '../../testkit/identity.ts';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';
import { startGatewayProcess } from '../helpers/gateway-process.ts';
import { Secret, TOTP } from 'otpauth';
import { SmtpDouble } from '../doubles/smtp/server.ts';
import { signInOverHttp } from '../helpers/session.ts';

/**
 * A session acts with its user's role in the organization it selected, never more, and never in
 * another organization (docs/security.md#sessions).
 */
const PASSWORD = 'a long enough password';
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const codes = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

describe('what a session may do', () => {
  let db: TestDatabase;
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let ownerA: { cookie: string; csrf: string };

  async function as(
    s: { cookie: string; csrf: string },
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    return t.gql(query, variables, { token: null, headers: { cookie: s.cookie, 'x-tollgate-csrf': s.csrf } });
  }
  async function person(opts: {
    organizationId?: string;
    role?: 'owner' | 'admin' | 'member';
    platformAdmin?: boolean;
  }) {
    const email = `s-${randomBytes(4).toString('hex')}@example.test`;
    const created = await createPasswordUser(db.prisma, { email, password: PASSWORD, ...opts });
    return { ...created, ...(await signInOverHttp(t.url, email, PASSWORD)) };
  }

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, {
      state: 'memory',
      env: { GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '1000000' },
    });
    const ids: string[] = [];
    for (const slug of ['sa', 'sb']) {
      const r = await t.gql(
        `mutation { createOrganization(input:{name:"${slug}", slug:"${slug}", ownerEmail:"owner@${slug}.test"}) { id } }`,
      );
      ids.push(Buffer.from(r.data.createOrganization.id, 'base64').toString().split(':')[1]!);
    }
    [orgA, orgB] = ids as [string, string];
    ownerA = await person({ organizationId: orgA, role: 'owner' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it("never reaches another organization's data with a session, whatever its role at home", async () => {
    const orgRead = await as(ownerA, 'query($id: ID!) { organization(id: $id) { slug } }', {
      id: gid('Organization', orgB),
    });
    expect(codes(orgRead)).toEqual(['NOT_FOUND']);
    const list = await as(ownerA, '{ organizations(first: 10) { edges { node { slug } } } }');
    expect(list.data.organizations.edges.map((e: any) => e.node.slug)).toEqual(['sa']);
    const keys = await as(
      ownerA,
      'query($o: ID!) { apiKeys(organizationId: $o, first: 10) { edges { node { id } } } }',
      {
        o: gid('Organization', orgB),
      },
    );
    expect(keys.data?.apiKeys.edges ?? []).toEqual([]);
    const team = await as(
      ownerA,
      'mutation($o: ID!) { createTeam(input: { organizationId: $o, name: "intruders" }) { id } }',
      {
        o: gid('Organization', orgB),
      },
    );
    expect(codes(team)).toEqual(['NOT_FOUND']);
    const rename = await as(
      ownerA,
      'mutation($id: ID!) { updateOrganization(input: { id: $id, name: "pwned" }) { name } }',
      {
        id: gid('Organization', orgB),
      },
    );
    expect(codes(rename)[0]).toMatch(/NOT_FOUND|FORBIDDEN/);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: orgB } })).name).toBe('sb');
    const created = await as(
      ownerA,
      'mutation { createOrganization(input: { name: "mine", slug: "mine", ownerEmail: "x@y.test" }) { id } }',
    );
    expect(codes(created)).toEqual(['FORBIDDEN']);
  });

  it('gives a member session read only, an owner session manage', async () => {
    const member = await person({ organizationId: orgA, role: 'member' });
    const viewer = await as(member, '{ viewer { role scopes } }');
    expect(viewer.data.viewer).toEqual({ role: 'MEMBER', scopes: ['READ'] });
    expect(
      (
        await as(member, 'query($id: ID!) { organization(id: $id) { slug } }', {
          id: gid('Organization', orgA),
        })
      ).data,
    ).toEqual({ organization: { slug: 'sa' } });
    const team = 'mutation($o: ID!) { createTeam(input: { organizationId: $o, name: "t" }) { id } }';
    expect(codes(await as(member, team, { o: gid('Organization', orgA) }))).toEqual(['SCOPE_NOT_ALLOWED']);
    expect(codes(await as(ownerA, team, { o: gid('Organization', orgA) }))).toEqual([]);
  });

  it('loses the organization at the next request once the membership is removed', async () => {
    const admin = await person({ organizationId: orgA, role: 'admin' });
    await db.prisma.membership.deleteMany({ where: { userId: admin.userId } });
    const viewer = await as(admin, '{ viewer { role scopes organization { slug } } }');
    expect(viewer.data.viewer).toEqual({ role: null, scopes: [], organization: null });
    const read = await as(admin, 'query($id: ID!) { organization(id: $id) { slug } }', {
      id: gid('Organization', orgA),
    });
    expect(codes(read)).toEqual(['SCOPE_NOT_ALLOWED']);
  });

  it('gives a session without an organization nothing but the viewer', async () => {
    const loner = await person({});
    const viewer = await as(loner, '{ viewer { kind role scopes organizations { role } } }');
    expect(viewer.data.viewer).toEqual({ kind: 'session', role: null, scopes: [], organizations: [] });
    expect(codes(await as(loner, '{ organizations(first: 5) { edges { node { id } } } }'))).toEqual([
      'SCOPE_NOT_ALLOWED',
    ]);
    expect(codes(await as(loner, '{ apiKeys(first: 5) { edges { node { id } } } }'))).toEqual([
      'SCOPE_NOT_ALLOWED',
    ]);
  });

  it("gives a platform-admin user's session the operator's powers, but never inference", async () => {
    const operator = await person({ platformAdmin: true });
    const viewer = await as(operator, '{ viewer { kind isPlatformAdmin scopes } }');
    expect(viewer.data.viewer).toEqual({
      kind: 'session',
      isPlatformAdmin: true,
      scopes: ['READ', 'MANAGE', 'BILLING'],
    });
    const read = await as(operator, 'query($id: ID!) { organization(id: $id) { slug } }', {
      id: gid('Organization', orgB),
    });
    expect(read.data.organization.slug).toBe('sb');
    const selected = await as(
      operator,
      'mutation($o: ID!) { selectOrganization(organizationId: $o) { organization { slug } } }',
      {
        o: gid('Organization', orgB),
      },
    );
    expect(selected.data.selectOrganization.organization.slug).toBe('sb');
  });

  it("records an operator session's ledger postings under its user, not as the admin token", async () => {
    const operator = await person({ platformAdmin: true });
    const wallet = await t.app.services.ledger.ensureWallet({
      organizationId: orgA,
      ownerType: 'organization',
      ownerId: orgA,
      currency: 'USD',
    });
    const r = await as(
      operator,
      'mutation($i: GrantCreditsInput!) { grantCredits(input: $i) { transactionId } }',
      {
        i: {
          walletId: wallet.id,
          amountNanos: '1000',
          idempotencyKey: `op-${operator.userId}`,
          reason: 'goodwill',
        },
      },
    );
    expect(r.errors).toBeUndefined();
    const tx = await db.prisma.ledgerTransaction.findFirstOrThrow({
      where: { idempotencyKey: { contains: `op-${operator.userId}` } },
    });
    expect({ type: tx.actorType, id: tx.actorId }).toEqual({ type: 'user', id: operator.userId });
  });

  it('does not let an API key use the session mutations', async () => {
    const r = await t.gql('mutation($o: ID!) { selectOrganization(organizationId: $o) { kind } }', {
      o: gid('Organization', orgA),
    });
    expect(codes(r)).toEqual(['SESSION_REQUIRED']);
  });
});

describe('sign-in and logs', () => {
  it('writes no password, session token or CSRF token to the logs, even at trace level', async () => {
    const db = await openTestDatabase('postgres');
    const gateway = await startGatewayProcess({
      DATABASE_URL: db.url!,
      LOG_LEVEL: 'trace',
      TOLLGATE_ADMIN_TOKEN: 'logs-admin-token-0123456789',
    });
    try {
      const email = `logs-${randomBytes(4).toString('hex')}@example.test`;
      const org = await db.prisma.organization.create({
        data: { id: `org_${randomBytes(8).toString('hex')}`, name: 'logs', slug: 'logs' },
      });
      await createPasswordUser(db.prisma, { email, password: PASSWORD, organizationId: org.id });
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      const signIn = 'mutation($i: SignInInput!) { signIn(input: $i) { totpRequired } }';
      await post({ query: signIn, variables: { i: { email, password: 'wrong password, also secret' } } });
      const s = await signInOverHttp(gateway.url, email, PASSWORD);
      await post({ query: '{ viewer { kind } }' }, { cookie: s.cookie, 'x-tollgate-csrf': s.csrf });
      await post({ query: '{ viewer { kind } }' }, { cookie: s.cookie, 'x-tollgate-csrf': 'bad' });
      await post({ query: 'mutation { signOut }' }, { cookie: s.cookie, 'x-tollgate-csrf': s.csrf });
      const token = s.cookie.match(/tollgate_session=([^;]+)/)![1]!;
      const logs = gateway.logs().join('\n');
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of [PASSWORD, 'wrong password, also secret', token, s.csrf])
        expect(logs).not.toContain(secret);
    } finally {
      await gateway.stop();
      await db.close();
    }
  });
});

describe('account emails and logs', () => {
  it('writes no link token, new password, TOTP secret or code to the logs, even at trace level', async () => {
    const db = await openTestDatabase('postgres');
    const smtp = new SmtpDouble();
    const gateway = await startGatewayProcess({
      DATABASE_URL: db.url!,
      LOG_LEVEL: 'trace',
      TOLLGATE_ADMIN_TOKEN: 'logs-admin-token-0123456789',
      SIGNUP_ENABLED: 'true',
      SMTP_URL: await smtp.start(),
      PUBLIC_BASE_URL: 'https://console.example.test',
      TOLLGATE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    try {
      const email = `logs-${randomBytes(4).toString('hex')}@example.test`;
      const post = async (query: string, variables: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query, variables }),
        });
        return (await res.json()) as any;
      };
      const linkToken = async (n: number) => {
        await expect.poll(() => smtp.messages.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(n);
        const text = smtp.messages[n - 1]!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
        return /token=([0-9A-Za-z]+)/.exec(text)![1]!;
      };
      const signUp = 'mutation($i: SignUpInput!) { signUp(input: $i) { verificationSent } }';
      await post(signUp, { i: { email, password: PASSWORD, organizationName: 'Logs' } });
      const verifyToken = await linkToken(1);
      await post('mutation($t: String!) { verifyEmail(token: $t) }', { t: verifyToken });
      await post('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: email });
      const resetToken = await linkToken(2);
      const newPassword = 'the new password, also secret';
      const reset = await post(
        'mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }',
        {
          t: resetToken,
          p: newPassword,
        },
      );
      expect(reset.data).toEqual({ resetPassword: true });
      const s = await signInOverHttp(gateway.url, email, newPassword);
      const auth = { cookie: s.cookie, 'x-tollgate-csrf': s.csrf };
      const started = await post('mutation { startTotpEnrollment { secret otpauthUrl } }', {}, auth);
      const secret: string = started.data.startTotpEnrollment.secret;
      const code = TOTP.generate({ secret: Secret.fromBase32(secret) });
      const confirmed = await post(
        'mutation($c: String!) { confirmTotpEnrollment(code: $c) }',
        { c: code },
        auth,
      );
      expect(confirmed.data).toEqual({ confirmTotpEnrollment: true });
      const logs = gateway.logs().join('\n');
      expect(logs.length).toBeGreaterThan(0);
      for (const value of [PASSWORD, newPassword, verifyToken, resetToken, secret])
        expect(logs).not.toContain(value);
      expect(logs).not.toMatch(new RegExp(`"[^"]*":"${code}"`));
    } finally {
      await gateway.stop();
      await smtp.close();
      await db.close();
    }
  });
});
