import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReceivedMail, SmtpDouble } from '../../doubles/smtp/server.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { VIEWPORT, signInThroughScreen } from '../../helpers/console-session.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { signInOverHttp } from '../../helpers/session.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase here';
const PUBLIC_BASE_URL = 'https://console.example.test';

/** The text of a received message: headers dropped, quoted-printable decoded. */
function mailText(mail: ReceivedMail): string {
  const body = mail.raw.slice(mail.raw.indexOf('\r\n\r\n') + 4);
  if (!/content-transfer-encoding: quoted-printable/i.test(mail.raw)) return body;
  return body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe('console sign-up, email links, sessions and TOTP, in headless Chromium', () => {
  let db: TestDatabase;
  let t: TestApp;
  let smtp: SmtpDouble;
  let browser: Browser;

  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));
  /** The console path of the link in the n-th message to `email` (waits for it), on this gateway. */
  async function linkIn(email: string, n: number, path: string): Promise<string> {
    await vi.waitFor(() => expect(mailsTo(email).length).toBeGreaterThanOrEqual(n), { timeout: 15_000 });
    const text = mailText(mailsTo(email)[n - 1]!);
    const m = new RegExp(
      `${PUBLIC_BASE_URL.replaceAll('.', '\\.')}(/console${path}\\?token=[0-9A-Za-z]+)`,
    ).exec(text);
    if (!m) throw new Error(`no ${path} link in: ${text}`);
    return `${t.url}${m[1]}`;
  }
  const a11y = async (page: Page) => expect(await seriousA11yViolations(page)).toEqual([]);

  beforeAll(async () => {
    await ensureConsoleBuilt();
    db = await openTestDatabase('postgres');
    smtp = new SmtpDouble();
    const smtpUrl = await smtp.start();
    t = await startTestApp(db, {
      state: 'redis',
      env: {
        SIGNUP_ENABLED: 'true',
        SMTP_URL: smtpUrl,
        PUBLIC_BASE_URL,
        TOLLGATE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        ACCOUNT_EMAILS_PER_ADDRESS: '1000',
        SIGN_IN_FAILURES_PER_ADDRESS: '1000',
        GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE: '1000000',
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
    await db?.close();
  });

  it('signs up, verifies the email from its link, resets the password from its link, revokes another session and signs in with TOTP', async () => {
    const email = `p-${randomBytes(4).toString('hex')}@example.test`;
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();

    // Sign-up, reached from the sign-in screen (sign-up is open here).
    await page.goto(`${t.url}/console/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create a Tollgate account' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Your name').fill('Ada');
    await page.getByLabel('Organization name').fill('Ada & Co');
    await a11y(page);
    await saveScreenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Check your email/);
    await a11y(page);

    // The verification link: spent once; opened again, it says clearly that it no longer works.
    const verifyLink = await linkIn(email, 1, '/verify-email');
    await page.goto(verifyLink);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Your email is verified. You can sign in now.');
    await a11y(page);
    const again = await context.newPage();
    await again.goto(verifyLink);
    await expect
      .poll(() => again.getByRole('alert').textContent())
      .toMatch(/^This link is not valid.* · TOKEN_INVALID/);
    await again.close();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInThroughScreen(page, email, PASSWORD);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // Forgot password → the link of the email → a new password → sign in with it.
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await a11y(page);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send link' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^If an account exists/);
    await page.goto(await linkIn(email, 2, '/reset-password'));
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(`${NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The two passwords differ.');
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await a11y(page);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Your password is changed/);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInThroughScreen(page, email, NEW_PASSWORD);

    // Another session (another device): listed on Account, and signed out from there.
    const other = await signInOverHttp(t.url, email, NEW_PASSWORD);
    const viewerWith = async (s: { cookie: string; csrf: string }) =>
      (await (
        await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-tollgate-csrf': s.csrf },
          body: JSON.stringify({ query: '{ viewer { kind } }' }),
        })
      ).json()) as { data?: { viewer?: { kind: string } } };
    expect((await viewerWith(other)).data?.viewer?.kind).toBe('session');
    await page.goto(`${t.url}/console/account`);
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await expect.poll(() => sessions.getByRole('row').count()).toBe(3);
    expect(await sessions.getByText('(this browser)').count()).toBe(1);
    await a11y(page);
    await saveScreenshot(page, 'account');
    await sessions.getByRole('button', { name: /^Sign out / }).click();
    await sessions.getByRole('button', { name: /^Confirm: Sign out / }).click();
    await expect.poll(() => sessions.getByRole('row').count()).toBe(2);
    expect((await viewerWith(other)).data?.viewer).toBeUndefined();

    // TOTP: enroll from the QR code's secret, confirm with a code; then sign-in asks for one.
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('img', { name: 'QR code of the authenticator secret' }).waitFor();
    const secret = Secret.fromBase32((await page.getByTestId('totp-secret').textContent())!);
    await a11y(page);
    await page.getByLabel('Authentication code').fill(TOTP.generate({ secret }));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Two-factor authentication is on.');
    await page.getByRole('button', { name: 'Turn off two-factor authentication' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    // A code is good once: the next step's (within the accepted window), not the one just confirmed.
    await page
      .getByLabel('Authentication code')
      .fill(TOTP.generate({ secret, timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await context.close();
  });

  it('shows the sign-up screen in Simplified Chinese', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/console/sign-up`);
    await page.getByRole('heading', { name: '创建 Tollgate 账户' }).waitFor();
    expect(await page.getByLabel('组织名称').count()).toBe(1);
    await a11y(page);
    await context.close();
  });
});
