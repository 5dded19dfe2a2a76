import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { type ReceivedMail, SmtpDouble } from '../../doubles/smtp/server.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { signInOverHttp } from '../../helpers/session.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase here';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { totpRequired viewer { kind } } }';
const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { verificationSent } }';
const VERIFY = 'mutation($t: String!) { verifyEmail(token: $t) }';
const REQUEST_RESET = 'mutation($e: String!) { requestPasswordReset(email: $e) }';
const RESET = 'mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }';
const SESSIONS = '{ sessions { id current userAgent createdAt lastSeenAt expiresAt } }';
const REVOKE = 'mutation($id: ID!) { revokeSession(id: $id) }';
const START_TOTP = 'mutation { startTotpEnrollment { secret otpauthUrl qrCode } }';
const CONFIRM_TOTP = 'mutation($c: String!) { confirmTotpEnrollment(code: $c) }';
const DISABLE_TOTP = 'mutation($c: String!) { disableTotp(code: $c) }';
const codes = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

/** The text of a received message: headers dropped, quoted-printable decoded. */
function mailText(mail: ReceivedMail): string {
  const body = mail.raw.slice(mail.raw.indexOf('\r\n\r\n') + 4);
  if (!/content-transfer-encoding: quoted-printable/i.test(mail.raw)) return body;
  return body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

const tokenIn = (mail: ReceivedMail, path: string) => {
  const m = new RegExp(`https://console\\.example\\.test${path}\\?token=([0-9A-Za-z]+)`).exec(mailText(mail));
  if (!m) throw new Error(`no ${path} link in: ${mailText(mail)}`);
  return m[1]!;
};

describe('sign-up, email verification, password reset, sessions and TOTP over HTTP', () => {
  let db: TestDatabase;
  let t: TestApp;
  let smtp: SmtpDouble;
  let nowMs = Date.now();

  async function browser(
    query: string,
    variables: Record<string, unknown> = {},
    o: { cookie?: string; csrf?: string; origin?: string; token?: string } = {},
  ) {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...(o.csrf ? { 'x-tollgate-csrf': o.csrf } : {}),
        ...(o.origin ? { origin: o.origin } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as any;
    // Cost and request id differ per request; the tests compare data and errors.
    delete body.extensions;
    return { res, body, setCookies: res.headers.getSetCookie() };
  }
  const as = (s: { cookie: string; csrf: string }) => ({ cookie: s.cookie, csrf: s.csrf });
  const newEmail = () => `p-${randomBytes(4).toString('hex')}@example.test`;
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));
  const waitForMails = async (email: string, n: number) => {
    await vi.waitFor(() => expect(mailsTo(email).length).toBeGreaterThanOrEqual(n), { timeout: 15_000 });
    return mailsTo(email);
  };
  const codeAt = (secret: string, atMs: number) =>
    TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: atMs });

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    smtp = new SmtpDouble();
    const smtpUrl = await smtp.start();
    t = await startTestApp(db, {
      state: 'memory',
      clock: () => new Date(nowMs),
      env: {
        SIGNUP_ENABLED: 'true',
        SMTP_URL: smtpUrl,
        PUBLIC_BASE_URL: 'https://console.example.test',
        TOLLGATE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        SIGN_IN_FAILURES_PER_EMAIL: '4',
        SIGN_IN_FAILURES_PER_ADDRESS: '1000',
        ACCOUNT_EMAILS_PER_EMAIL: '3',
        ACCOUNT_EMAILS_PER_ADDRESS: '1000',
        GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '1000000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await db?.close();
  });

  it('signs up: a user, its own organization and an unverified email; sign-in waits for the link, which works once', async () => {
    const email = newEmail();
    const up = await browser(SIGN_UP, {
      input: { email, password: PASSWORD, name: 'Ada', organizationName: 'Ada & Co' },
    });
    expect(up.body).toEqual({ data: { signUp: { verificationSent: true } } });
    expect(up.setCookies).toEqual([]);
    // The account is made after the answer; its verification email is the last step.
    const [mail] = await waitForMails(email, 1);
    expect((await browser('{ authSettings { signUpOpen } }')).body).toEqual({
      data: { authSettings: { signUpOpen: true } },
    });

    const credential = await db.prisma.passwordCredential.findUniqueOrThrow({
      where: { email },
      include: { user: { include: { memberships: { include: { organization: true } } } } },
    });
    expect(credential.emailVerifiedAt).toBeNull();
    expect(credential.user.memberships).toHaveLength(1);
    expect(credential.user.memberships[0]).toMatchObject({
      role: 'owner',
      organization: { name: 'Ada & Co' },
    });
    expect(credential.user.memberships[0]!.organization.slug).toMatch(/^ada-co-[0-9a-f]{6}$/);

    expect(mail!.raw).toContain('Subject: [Tollgate] Verify your email address');
    const token = tokenIn(mail!, '/console/verify-email');
    // Only the hash is stored.
    expect(
      JSON.stringify(await db.prisma.emailToken.findMany({ where: { userId: credential.userId } })),
    ).not.toContain(token);

    const early = await browser(SIGN_IN, { input: { email, password: PASSWORD } });
    expect(codes(early.body)).toEqual(['EMAIL_NOT_VERIFIED']);
    expect(early.setCookies).toEqual([]);
    // A wrong password is still just INVALID_CREDENTIALS: the state shows only after the right one.
    const wrong = await browser(SIGN_IN, { input: { email, password: 'not the password at all' } });
    expect(codes(wrong.body)).toEqual(['INVALID_CREDENTIALS']);

    expect((await browser(VERIFY, { t: token })).body).toEqual({ data: { verifyEmail: true } });
    expect(codes((await browser(VERIFY, { t: token })).body)).toEqual(['TOKEN_INVALID']);
    const s = await signInOverHttp(t.url, email, PASSWORD);
    const viewer = await browser('{ viewer { role organization { name } } }', {}, as(s));
    expect(viewer.body.data.viewer).toEqual({ role: 'OWNER', organization: { name: 'Ada & Co' } });
  });

  it('answers a taken email exactly like a new one, changes nothing, and tells the address owner instead', async () => {
    const email = newEmail();
    const existing = await createPasswordUser(db.prisma, { email, password: PASSWORD });
    const [orgs, users] = [await db.prisma.organization.count(), await db.prisma.user.count()];
    const freshEmail = newEmail();
    const fresh = await browser(SIGN_UP, {
      input: { email: freshEmail, password: PASSWORD, organizationName: 'Fresh' },
    });
    await waitForMails(freshEmail, 1);
    const taken = await browser(SIGN_UP, {
      input: { email: email.toUpperCase(), password: 'someone elses password', organizationName: 'Squatter' },
    });
    expect(taken.body).toEqual(fresh.body);
    expect(taken.res.status).toBe(fresh.res.status);
    const [mail] = await waitForMails(email, 1);
    expect(await db.prisma.organization.count()).toBe(orgs + 1);
    expect(await db.prisma.user.count()).toBe(users + 1);
    expect(await db.prisma.organization.count({ where: { name: 'Squatter' } })).toBe(0);
    expect(mail!.raw).toContain('Someone tried to sign up with your address');
    expect(mailText(mail!)).not.toMatch(/token=/);
    // The account is untouched: the old password still signs in.
    await signInOverHttp(t.url, email, PASSWORD);
    expect((await db.prisma.passwordCredential.findUniqueOrThrow({ where: { email } })).userId).toBe(
      existing.userId,
    );
  });

  it('never links a sign-up to an existing user an organization created with that address', async () => {
    const email = newEmail();
    const org = await t.gql(
      `mutation { createOrganization(input:{name:"victim", slug:"victim-${randomBytes(3).toString('hex')}", ownerEmail:"${email}"}) { id } }`,
    );
    expect(org.errors).toBeUndefined();
    const victim = await db.prisma.user.findFirstOrThrow({ where: { email } });
    await browser(SIGN_UP, { input: { email, password: PASSWORD, organizationName: 'Mine' } });
    await waitForMails(email, 1);
    const credential = await db.prisma.passwordCredential.findUniqueOrThrow({ where: { email } });
    expect(credential.userId).not.toBe(victim.id);
    expect(await db.prisma.membership.count({ where: { userId: credential.userId } })).toBe(1);
  });

  it('refuses a bad sign-up with a typed error and writes nothing', async () => {
    const users = await db.prisma.user.count();
    const cases = [
      { email: 'not-an-email', password: PASSWORD, organizationName: 'X' },
      { email: newEmail(), password: 'short', organizationName: 'X' },
      { email: newEmail(), password: 'x'.repeat(1025), organizationName: 'X' },
      {
        email: 'same-as-password@example.test',
        password: 'Same-As-Password@example.test',
        organizationName: 'X',
      },
      { email: newEmail(), password: PASSWORD, organizationName: '   ' },
    ];
    for (const input of cases)
      expect(codes((await browser(SIGN_UP, { input })).body)).toEqual(['VALIDATION_FAILED']);
    const foreign = await browser(
      SIGN_UP,
      { input: { email: newEmail(), password: PASSWORD, organizationName: 'X' } },
      { origin: 'https://evil.example' },
    );
    expect(codes(foreign.body)).toEqual(['FOREIGN_ORIGIN']);
    expect(await db.prisma.user.count()).toBe(users);
  });

  it('refuses an expired verification link, and a reset token used as one', async () => {
    const email = newEmail();
    await browser(SIGN_UP, { input: { email, password: PASSWORD, organizationName: 'Late' } });
    const token = tokenIn((await waitForMails(email, 1))[0]!, '/console/verify-email');
    nowMs += t.config.EMAIL_VERIFICATION_TTL_SECONDS * 1000;
    expect(codes((await browser(VERIFY, { t: token })).body)).toEqual(['TOKEN_INVALID']);
    expect(codes((await browser(RESET, { t: token, p: NEW_PASSWORD })).body)).toEqual(['TOKEN_INVALID']);
    for (const bad of ['', 'x'.repeat(100_000), "' OR 1=1 --", 'a'.repeat(43)])
      expect(codes((await browser(VERIFY, { t: bad })).body)).toEqual(['TOKEN_INVALID']);
  });

  it('resets a password by email: same answer for unknown emails, one use, policy first, every session ended', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD, verified: false });
    const unknown = await browser(REQUEST_RESET, { e: newEmail() });
    const known = await browser(REQUEST_RESET, { e: email });
    expect(known.body).toEqual({ data: { requestPasswordReset: true } });
    expect(unknown.body).toEqual(known.body);
    const token = tokenIn((await waitForMails(email, 1))[0]!, '/console/reset-password');

    // Refused password: the token is not spent.
    expect(codes((await browser(RESET, { t: token, p: email })).body)).toEqual(['VALIDATION_FAILED']);
    expect(codes((await browser(RESET, { t: token, p: 'short' })).body)).toEqual(['VALIDATION_FAILED']);
    // A session opened before the reset (the email is verified here by hand to get one).
    await db.prisma.passwordCredential.update({
      where: { email },
      data: { emailVerifiedAt: new Date(nowMs) },
    });
    const before = await signInOverHttp(t.url, email, PASSWORD);
    expect((await browser(RESET, { t: token, p: NEW_PASSWORD })).body).toEqual({
      data: { resetPassword: true },
    });
    expect(codes((await browser(RESET, { t: token, p: `${NEW_PASSWORD}!` })).body)).toEqual([
      'TOKEN_INVALID',
    ]);

    expect(codes((await browser('{ viewer { kind } }', {}, as(before))).body)).toEqual(['SESSION_EXPIRED']);
    expect(codes((await browser(SIGN_IN, { input: { email, password: PASSWORD } })).body)).toEqual([
      'INVALID_CREDENTIALS',
    ]);
    await signInOverHttp(t.url, email, NEW_PASSWORD);
    expect(
      (await db.prisma.passwordCredential.findUniqueOrThrow({ where: { email } })).emailVerifiedAt,
    ).not.toBeNull();
  });

  it('expires reset links, and a newer link replaces an older one', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD });
    await browser(REQUEST_RESET, { e: email });
    const first = tokenIn((await waitForMails(email, 1))[0]!, '/console/reset-password');
    await browser(REQUEST_RESET, { e: email });
    const second = tokenIn((await waitForMails(email, 2))[1]!, '/console/reset-password');
    expect(codes((await browser(RESET, { t: first, p: NEW_PASSWORD })).body)).toEqual(['TOKEN_INVALID']);
    nowMs += t.config.PASSWORD_RESET_TTL_SECONDS * 1000 + 1;
    expect(codes((await browser(RESET, { t: second, p: NEW_PASSWORD })).body)).toEqual(['TOKEN_INVALID']);
    await signInOverHttp(t.url, email, PASSWORD);
  });

  it('limits reset requests per email whether or not it has an account (RATE_LIMITED with retry-after)', async () => {
    const withAccount = newEmail();
    await createPasswordUser(db.prisma, { email: withAccount, password: PASSWORD });
    const without = newEmail();
    for (const email of [withAccount, without]) {
      for (let i = 0; i < 3; i++) expect((await browser(REQUEST_RESET, { e: email })).body.data).toBeTruthy();
      const limited = await browser(REQUEST_RESET, { e: email });
      expect(codes(limited.body)).toEqual(['RATE_LIMITED']);
      expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('lists the user’s live sessions and revokes only its own', async () => {
    const email = newEmail();
    const other = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD });
    await createPasswordUser(db.prisma, { email: other, password: PASSWORD });
    const a1 = await signInOverHttp(t.url, email, PASSWORD);
    const a2 = await signInOverHttp(t.url, email, PASSWORD);
    const b = await signInOverHttp(t.url, other, PASSWORD);

    const listed = await browser(SESSIONS, {}, as(a1));
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data.sessions).toHaveLength(2);
    expect(listed.body.data.sessions.filter((s: any) => s.current)).toHaveLength(1);
    const bId = (await browser(SESSIONS, {}, as(b))).body.data.sessions[0].id;

    // Another user's session: NOT_FOUND, and it stays alive.
    expect(codes((await browser(REVOKE, { id: bId }, as(a1))).body)).toEqual(['NOT_FOUND']);
    expect((await browser('{ viewer { kind } }', {}, as(b))).body.data.viewer.kind).toBe('session');

    const a2Id = listed.body.data.sessions.find((s: any) => !s.current).id;
    expect((await browser(REVOKE, { id: a2Id }, as(a1))).body).toEqual({ data: { revokeSession: true } });
    expect(codes((await browser('{ viewer { kind } }', {}, as(a2))).body)).toEqual(['SESSION_EXPIRED']);
    expect(codes((await browser(REVOKE, { id: a2Id }, as(a1))).body)).toEqual(['NOT_FOUND']);
    expect((await browser(SESSIONS, {}, as(a1))).body.data.sessions).toHaveLength(1);

    // Revoking the current session clears its cookies.
    const a1Id = (await browser(SESSIONS, {}, as(a1))).body.data.sessions[0].id;
    const self = await browser(REVOKE, { id: a1Id }, as(a1));
    expect(self.body).toEqual({ data: { revokeSession: true } });
    expect(self.setCookies.some((c) => c.startsWith('tollgate_session=;'))).toBe(true);

    // Not a session: no list.
    expect(codes(await t.gql(SESSIONS))).toEqual(['SESSION_REQUIRED']);
    expect(codes((await browser(SESSIONS)).body)).toEqual(['UNAUTHENTICATED']);
  });

  it('enrolls TOTP, then sign-in asks for a code, refuses wrong and replayed codes, and counts them', async () => {
    // Sign-in failures are counted in fixed windows (SIGN_IN_FAILURE_WINDOW_SECONDS, 900 s): start
    // at the beginning of one so the few minutes this test moves the clock stay inside it.
    nowMs = Math.ceil(nowMs / 900_000) * 900_000 + 1_000;
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD });
    const s = await signInOverHttp(t.url, email, PASSWORD);

    expect(codes((await browser(CONFIRM_TOTP, { c: '123456' }, as(s))).body)).toEqual([
      'TOTP_ENROLLMENT_NOT_STARTED',
    ]);
    await browser(START_TOTP, {}, as(s));
    const started = await browser(START_TOTP, {}, as(s)); // replaces the first
    const { secret, otpauthUrl, qrCode } = started.body.data.startTotpEnrollment;
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/Tollgate:.+\?.*secret=[A-Z2-7]+/);
    expect(otpauthUrl).toContain('algorithm=SHA1');
    expect(otpauthUrl).toContain('digits=6');
    expect(otpauthUrl).toContain('period=30');
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qrCode.split(',')[1], 'base64').toString()).toContain('<svg');
    const stored = await db.prisma.passwordCredential.findUniqueOrThrow({ where: { email } });
    expect(stored.totpPendingSecretEncrypted).toMatch(/^v1\./);
    expect(JSON.stringify(stored)).not.toContain(secret);

    expect(codes((await browser(CONFIRM_TOTP, { c: '000000' }, as(s))).body)).toEqual(['TOTP_CODE_INVALID']);
    const enrolledCode = codeAt(secret, nowMs);
    expect((await browser(CONFIRM_TOTP, { c: enrolledCode }, as(s))).body).toEqual({
      data: { confirmTotpEnrollment: true },
    });
    expect((await browser('{ viewer { totpEnabled } }', {}, as(s))).body.data.viewer.totpEnabled).toBe(true);
    expect(codes((await browser(START_TOTP, {}, as(s))).body)).toEqual(['TOTP_ALREADY_ENABLED']);

    const noCode = await browser(SIGN_IN, { input: { email, password: PASSWORD } });
    expect(noCode.body).toEqual({ data: { signIn: { totpRequired: true, viewer: null } } });
    expect(noCode.setCookies).toEqual([]);
    // The code that confirmed the enrollment is spent (same 30 s step).
    const replay = await browser(SIGN_IN, { input: { email, password: PASSWORD, totpCode: enrolledCode } });
    expect(codes(replay.body)).toEqual(['INVALID_CREDENTIALS']);
    expect(replay.setCookies).toEqual([]);

    nowMs += 30_000;
    const fresh = codeAt(secret, nowMs);
    const ok = await browser(SIGN_IN, { input: { email, password: PASSWORD, totpCode: fresh } });
    expect(ok.body).toEqual({ data: { signIn: { totpRequired: false, viewer: { kind: 'session' } } } });
    // Replayed within its window: refused.
    const again = await browser(SIGN_IN, { input: { email, password: PASSWORD, totpCode: fresh } });
    expect(codes(again.body)).toEqual(['INVALID_CREDENTIALS']);
    // One step of drift is allowed, a code of the past step is not (older than the last one used).
    nowMs += 30_000;
    const drift = await browser(SIGN_IN, {
      input: { email, password: PASSWORD, totpCode: codeAt(secret, nowMs + 30_000) },
    });
    expect(drift.body.data?.signIn.totpRequired).toBe(false);

    // Wrong codes count: the wrong confirmation, the two replays and one more reach
    // SIGN_IN_FAILURES_PER_EMAIL (4); then even a right code waits.
    nowMs += 120_000;
    for (const code of ['000000'])
      expect(
        codes((await browser(SIGN_IN, { input: { email, password: PASSWORD, totpCode: code } })).body),
      ).toEqual(['INVALID_CREDENTIALS']);
    const limited = await browser(SIGN_IN, {
      input: { email, password: PASSWORD, totpCode: codeAt(secret, nowMs) },
    });
    expect(codes(limited.body)).toEqual(['RATE_LIMITED']);
  });

  it('disables TOTP only with a current code', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD });
    const s = await signInOverHttp(t.url, email, PASSWORD);
    expect(codes((await browser(DISABLE_TOTP, { c: '123456' }, as(s))).body)).toEqual(['TOTP_NOT_ENABLED']);
    const { secret } = (await browser(START_TOTP, {}, as(s))).body.data.startTotpEnrollment;
    await browser(CONFIRM_TOTP, { c: codeAt(secret, nowMs) }, as(s));
    expect(codes((await browser(DISABLE_TOTP, { c: codeAt(secret, nowMs) }, as(s))).body)).toEqual([
      'TOTP_CODE_INVALID',
    ]);
    nowMs += 30_000;
    expect((await browser(DISABLE_TOTP, { c: codeAt(secret, nowMs) }, as(s))).body).toEqual({
      data: { disableTotp: true },
    });
    const stored = await db.prisma.passwordCredential.findUniqueOrThrow({ where: { email } });
    expect(stored).toMatchObject({ totpEnabledAt: null, totpSecretEncrypted: null });
    expect(
      (await browser(SIGN_IN, { input: { email, password: PASSWORD } })).body.data.signIn.totpRequired,
    ).toBe(false);
    // An API key or the admin token has no authenticator to manage.
    expect(codes(await t.gql(START_TOTP))).toEqual(['SESSION_REQUIRED']);
  });

  it('keeps reset links out of the outbox (they go straight to SMTP)', async () => {
    const email = newEmail();
    await createPasswordUser(db.prisma, { email, password: PASSWORD });
    await browser(REQUEST_RESET, { e: email });
    const token = tokenIn((await waitForMails(email, 1))[0]!, '/console/reset-password');
    const outbox = await db.prisma.outboxMessage.findMany();
    expect(JSON.stringify(outbox, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token);
  });
});
