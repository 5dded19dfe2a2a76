import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeId } from '../../../src/graphql/ids.ts';
import { encryptSecret } from '../../../src/identity/crypto.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { VIEWPORT, signInThroughScreen, signedInContext } from '../../helpers/console-session.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const PASSWORD = 'correct horse battery staple';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

describe('console served by the gateway, in headless Chromium', () => {
  let db: TestDatabase;
  let t: TestApp;
  let browser: Browser;
  let orgA: { id: string; name: string };
  let orgB: { id: string; name: string };

  async function organization(name: string) {
    const slug = `${name.toLowerCase().replaceAll(' ', '-')}-${Math.random().toString(36).slice(2, 8)}`;
    const r = await t.gql(
      'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id name } }',
      {
        i: { name, slug },
      },
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data.createOrganization as { id: string; name: string };
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, {
      state: 'redis',
      env: {
        TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
        // Every person here signs in from 127.0.0.1 within a minute: more than one address's anonymous
        // GraphQL budget (100 a minute, about seven sign-ins) allows.
        GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '100000',
      },
    });
    orgA = await organization('Acme Research');
    orgB = await organization('Beta Labs');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await db?.close();
  });

  /** A person with a password, member of the given organizations (owner of the first). */
  async function person(orgs: { id: string }[], role: 'owner' | 'member' = 'owner') {
    const email = `p${Math.random().toString(36).slice(2, 10)}@acme.test`;
    const { userId } = await createPasswordUser(db.prisma, {
      email,
      password: PASSWORD,
      organizationId: decodeId(orgs[0]!.id, 'Organization'),
      role,
    });
    for (const o of orgs.slice(1))
      await t.gql('mutation($i: MembershipInput!) { addMember(input: $i) { id } }', {
        i: { organizationId: o.id, userId, role: 'MEMBER' },
      });
    return email;
  }

  /**
   * Turns TOTP on for the person the way enrollment stores it (the secret encrypted with the gateway's
   * key); returns the authenticator the person would hold.
   */
  async function enableTotp(email: string): Promise<TOTP> {
    const secret = new Secret();
    await db.prisma.passwordCredential.update({
      where: { email },
      data: { totpSecretEncrypted: encryptSecret(secret.base32, ENCRYPTION_KEY), totpEnabledAt: new Date() },
    });
    return new TOTP({ secret });
  }

  it('loads from /console with nothing from outside, under its Content-Security-Policy', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|UNAUTHENTICATED/.test(m.text())) problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(t.url)) outside.push(r.url());
    });
    const res = await page.goto(`${t.url}/console`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    // Nobody is signed in: the sign-in screen.
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    expect(page.url()).toBe(`${t.url}/console/sign-in`);
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'sign-in');
    await page.close();
  });

  it('sends a signed-out deep link to sign-in and back to it afterwards', async () => {
    const email = await person([orgA]);
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/account`);
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    expect(new URL(page.url()).search).toBe(`?next=${encodeURIComponent('/account')}`);
    await signInThroughScreen(page, email, PASSWORD);
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    expect(page.url()).toBe(`${t.url}/console/account`);
    await expect.poll(() => page.getByRole('cell', { name: /Acme Research/ }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: 'Owner' }).count()).toBe(1);
    // A member is no operator: no operator screen in the navigation.
    expect(await page.getByRole('link', { name: 'Organizations' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'account');
    await context.close();
  });

  it('never follows ?next= off the console', async () => {
    const email = await person([orgA]);
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/sign-in?next=${encodeURIComponent('//evil.example/x')}`);
    await signInThroughScreen(page, email, PASSWORD);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).toBe(`${t.url}/console/`);
    await context.close();
  });

  it('asks for the authenticator code when the account has TOTP on: a wrong code is refused, the right one signs in', async () => {
    const email = await person([orgA]);
    const totp = await enableTotp(email);
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    // No session yet: the password alone made none.
    expect((await context.cookies()).filter((c) => c.name === 'tollgate_session' && c.value)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'sign-in-totp');
    const code = totp.generate();
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Authentication code').fill(wrong);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^That code is not valid\./);
    await page.getByLabel('Authentication code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await context.close();
  });

  it('shows a wrong password as the gateway answers it: translated, with its code and request id; nothing signed in', async () => {
    const email = await person([orgA]);
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/sign-in`);
    await page.getByRole('heading', { name: '登录 Tollgate' }).waitFor();
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码').fill('not the password');
    await page.getByRole('button', { name: '登录' }).click();
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toMatch(/^邮箱或密码错误。 · INVALID_CREDENTIALS · request [0-9a-f-]{36}$/);
    expect((await context.cookies()).filter((c) => c.name === 'tollgate_session' && c.value)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'sign-in-error-zh-CN');
    await context.close();
  });

  it('signs out from the header: back to sign-in, and the old session cookie no longer works', async () => {
    const email = await person([orgA]);
    const context = await signedInContext(browser, t.url, email, PASSWORD);
    const page = await context.newPage();
    await page.goto(`${t.url}/console/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const before = (await context.cookies()).find((c) => c.name === 'tollgate_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    expect(page.url()).toBe(`${t.url}/console/sign-in`);
    // The same cookie, replayed: the session was revoked on the server, not only forgotten by the browser.
    const csrf = (await context.cookies()).find((c) => c.name === 'tollgate_csrf')?.value ?? '';
    const res = await t.gql('{ viewer { kind } }', undefined, {
      token: null,
      headers: { cookie: `tollgate_session=${before.value}`, 'x-tollgate-csrf': csrf },
    });
    expect(res.errors?.[0]?.extensions?.code).toMatch(/SESSION_EXPIRED|UNAUTHENTICATED|CSRF_TOKEN_INVALID/);
    await context.close();
  });

  it('leaves an open screen for sign-in when the session is revoked elsewhere, and comes back after', async () => {
    const org = await organization('Gamma Works');
    const email = await person([org]);
    const grant = (n: number) =>
      t.gql('mutation($i: GrantCreditsInput!) { grantCredits(input: $i) { transactionId } }', {
        i: {
          wallet: { organizationId: org.id, ownerType: 'ORGANIZATION', ownerId: org.id, currency: 'USD' },
          amountNanos: '1000000000',
          reason: 'test',
          idempotencyKey: `grant-${org.id}-${n}`,
        },
      });
    await grant(1);
    const context = await signedInContext(browser, t.url, email, PASSWORD);
    const page = await context.newPage();
    await page.goto(`${t.url}/console/account`);
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByRole('link', { name: 'Overview' }).click();
    // The wallet's subscription is live once a second grant shows without a reload.
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('1.0000 USD');
    await grant(2);
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('2.0000 USD');
    let loads = 0;
    page.on('load', () => loads++);
    // Another device signs this session out (same cookies): its subscriptions end with SESSION_EXPIRED.
    const cookies = await context.cookies();
    const value = (name: string) => cookies.find((c) => c.name === name)?.value ?? '';
    const out = await t.gql('mutation { signOut }', undefined, {
      token: null,
      headers: {
        cookie: `tollgate_session=${value('tollgate_session')}; tollgate_csrf=${value('tollgate_csrf')}`,
        'x-tollgate-csrf': value('tollgate_csrf'),
      },
    });
    expect(out.data).toEqual({ signOut: true });
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    expect(page.url()).toBe(`${t.url}/console/sign-in`);
    expect(loads).toBe(0);
    await signInThroughScreen(page, email, PASSWORD);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await context.close();
  });

  it('starts an operator who belongs to no organization at the operator screens', async () => {
    const email = `op${Math.random().toString(36).slice(2, 10)}@tollgate.test`;
    await createPasswordUser(db.prisma, { email, password: PASSWORD, platformAdmin: true });
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/`);
    await signInThroughScreen(page, email, PASSWORD);
    await expect.poll(() => page.url()).toBe(`${t.url}/console/operator/organizations`);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Organizations' }).count()).toBe(1);
    // No organization selected: no customer screen in the navigation.
    expect(await nav.getByRole('link', { name: 'Overview' }).count()).toBe(0);
    await context.close();
  });

  it('switches organization from the header when the person belongs to several', async () => {
    const email = await person([orgA, orgB]);
    const context = await signedInContext(browser, t.url, email, PASSWORD);
    const page = await context.newPage();
    await page.goto(`${t.url}/console/account`);
    const switcher = page.getByRole('combobox', { name: 'Organization' });
    await expect.poll(() => switcher.inputValue()).toBe(orgA.id);
    await switcher.selectOption(orgB.id);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect.poll(() => page.getByRole('combobox', { name: 'Organization' }).inputValue()).toBe(orgB.id);
    // The session now acts in Beta Labs, as a member there.
    const res = await page.evaluate(async () => {
      const csrf = /tollgate_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tollgate-csrf': decodeURIComponent(csrf) },
        body: JSON.stringify({ query: '{ viewer { role organization { name } } }' }),
      });
      return r.json();
    });
    expect(res.data.viewer).toEqual({ role: 'MEMBER', organization: { name: 'Beta Labs' } });
    await context.close();
  });
});
