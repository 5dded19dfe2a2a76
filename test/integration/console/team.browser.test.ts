import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { WebhookReceiver } from '../../doubles/webhook-receiver/server.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { ENCRYPTION_KEY } from '../risk/harness.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { signedInContext } from '../../helpers/console-session.ts';

/**
 * The Team screen in headless Chromium: members and roles under the gateway's rank rules, teams,
 * notification settings, and a webhook endpoint whose delivery fails, is shown dead, and is replayed.
 * The outbox is drained by the test (OUTBOX_ENABLED=false), so each delivery happens when it says.
 */
describe('console Team screen', () => {
  let db: TestDatabase;
  let t: TestApp;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let receiverUrl: string;
  let owner: { apiKey: string; organizationId: string; userId: string };
  const PASSWORD = 'correct horse battery staple';
  const ownerPerson = { email: 'owner@team.test', password: PASSWORD };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, {
      state: 'redis',
      env: {
        TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
        OUTBOX_MAX_ATTEMPTS: '1',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        RISK_SETTINGS_CACHE_TTL_MS: '0',
      },
    });
    receiver = new WebhookReceiver();
    receiverUrl = await receiver.start();
    owner = await bootstrap(t.app.services, { org: 'Console Team', email: 'boot@team.test' });
    await createPasswordUser(t.app.services.db, {
      ...ownerPerson,
      organizationId: owner.organizationId,
      role: 'owner',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await t?.close();
    await db?.close();
  });

  async function openTeam(user: { email: string; password: string }, locale: 'en' | 'zh-CN' = 'en') {
    const context = await signedInContext(browser, t.url, user.email, user.password, { locale });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${t.url}/console/team`);
    await page.waitForLoadState('networkidle');
    return { context, page, problems };
  }

  async function roleOf(email: string): Promise<string | undefined> {
    const user = await t.app.services.db.user.findFirst({
      where: { email, memberships: { some: { organizationId: owner.organizationId } } },
      include: { memberships: true },
    });
    return user?.memberships.find((m) => m.organizationId === owner.organizationId)?.role;
  }

  it('adds a member, changes its role, and manages a team', async () => {
    const { context, page, problems } = await openTeam(ownerPerson);
    await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
    const members = page.getByRole('table', { name: 'Members of the organization and their roles' });
    await expect.poll(() => members.textContent()).toContain('owner@team.test');

    const add = page.getByRole('form', { name: 'Add a member' });
    await add.getByLabel('Email').fill('dev@team.test');
    await add.getByLabel('Name').fill('Dev');
    await add.getByRole('button', { name: 'Add a member' }).click();
    await page.getByText('dev@team.test was added.').waitFor();
    await expect.poll(() => members.textContent()).toContain('dev@team.test');
    expect(await roleOf('dev@team.test')).toBe('member');

    await page.getByLabel('Role of dev@team.test').selectOption('ADMIN');
    await page.getByText('Role of dev@team.test is now Admin.').waitFor();
    expect(await roleOf('dev@team.test')).toBe('admin');

    await page.getByLabel('Team name').fill('Research');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('heading', { level: 3, name: 'Research' }).waitFor();
    // Let the refetch after the change land before choosing: a choice made while it lands can be
    // lost (seen on a loaded machine, not yet explained).
    await page.waitForLoadState('networkidle');
    await page.getByLabel('Add to Research').selectOption({ label: 'dev@team.test' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const teamMembers = page.getByRole('list', { name: 'Members of Research' });
    await expect.poll(() => teamMembers.textContent()).toContain('dev@team.test');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name for Research').fill('Research & Development');
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await page.getByRole('heading', { level: 3, name: 'Research & Development' }).waitFor();

    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'team');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the gateway’s refusal when an admin tries to make someone an owner, and changes nothing', async () => {
    const admin = { email: 'admin@team.test', password: PASSWORD };
    await createPasswordUser(t.app.services.db, {
      ...admin,
      organizationId: owner.organizationId,
      role: 'admin',
    });
    await t.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { organizationId: owner.organizationId, email: 'intern@team.test', role: 'MEMBER' } },
      { token: owner.apiKey },
    );

    const { context, page } = await openTeam(admin);
    await page.getByLabel('Role of intern@team.test').selectOption('OWNER');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await alert.textContent()).toContain('Only an owner can grant or change the owner role');
    expect(await alert.textContent()).toMatch(/request \S+/);
    expect(await roleOf('intern@team.test')).toBe('member');
    // The select shows the role the gateway kept, not the refused one.
    await expect.poll(() => page.getByLabel('Role of intern@team.test').inputValue()).toBe('MEMBER');
    await context.close();
  });

  it('saves notification settings with thresholds in major units', async () => {
    const { context, page } = await openTeam(ownerPerson);
    await page.getByLabel('Email recipients').fill('billing@team.test, ops@team.test');
    await page
      .getByRole('group', { name: 'Events sent by email' })
      .getByRole('checkbox', { name: 'BALANCE_LOW' })
      .check();
    await page.getByLabel('Low-balance thresholds').fill('USD 5, 10.5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    const stored = await t.app.services.risk.settings.get('organization', owner.organizationId);
    expect(stored?.notifications).toMatchObject({
      emailRecipients: ['billing@team.test', 'ops@team.test'],
      emailEventTypes: ['balance_low'],
      balanceLowThresholdsNanos: { USD: ['5000000000', '10500000000'] },
    });
    await context.close();
  });

  it('creates a webhook endpoint (secret shown once), shows a dead delivery and replays it', async () => {
    const { context, page, problems } = await openTeam(ownerPerson);
    await page.getByLabel('URL', { exact: true }).fill(receiverUrl);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret.length).toBeGreaterThan(16);
    expect(await page.getByText('it is shown only once').count()).toBe(1);
    const endpoints = page.getByRole('table', { name: 'Webhook endpoints of the organization' });
    await expect.poll(() => endpoints.textContent()).toContain(receiverUrl);

    receiver.secrets = [secret];
    receiver.mode = 'fail';
    await t.app.services.notifications.notify(t.app.services.db, {
      type: 'payment_failed',
      organizationId: owner.organizationId,
      dedupeKey: 'console-team-webhook',
      payload: {
        paymentId: 'pay_console',
        orderId: 'ord_console',
        walletId: 'wal_console',
        currency: 'USD',
        amountMinor: '500',
        failureCode: 'card_declined',
        failureMessage: null,
      },
    });
    await t.app.services.outbox.drain();
    expect(receiver.attempts.length).toBe(1);

    await page.getByRole('button', { name: `Deliveries to ${receiverUrl}` }).click();
    const log = page.getByRole('table', { name: `Deliveries to ${receiverUrl}` });
    await expect.poll(() => log.textContent()).toContain('Dead');
    expect(await log.textContent()).toContain('PAYMENT_FAILED');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'team-webhooks');

    receiver.mode = 'ok';
    await log.getByRole('button', { name: /^Replay PAYMENT_FAILED/ }).click();
    await page.getByText(/is back in line\./).waitFor();
    await t.app.services.outbox.drain();
    expect(receiver.processed.map((e) => e.eventType)).toEqual(['payment_failed']);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => log.textContent()).toContain('Delivered');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads in Chinese and passes the accessibility check there', async () => {
    const { context, page } = await openTeam(ownerPerson, 'zh-CN');
    await page.getByRole('heading', { level: 1, name: '团队' }).waitFor();
    await page.getByRole('table', { name: '组织成员及其角色' }).waitFor();
    expect(await page.getByRole('button', { name: '创建端点' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
