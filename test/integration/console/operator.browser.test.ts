import { createClient } from 'graphql-ws';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { enqueueOutbox } from '../../../src/outbox/outbox.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { sessionContext } from '../../helpers/console-session.ts';
import { signInOverHttp } from '../../helpers/session.ts';
import { formatMoney } from '../../../console/src/ui/money.ts';
import { type StripeGateway, dbId, startStripeGateway } from '../payments/stripe-gateway.ts';

const USD = 1_000_000_000n;
const PASSWORD = 'correct horse battery staple';

type Session = { cookie: string; csrf: string };

describe('operator screens of the console, in headless Chromium', () => {
  let gw: StripeGateway;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let orgId: string;
  let walletId: string;
  let reviewPaymentId: string;
  let paidPaymentId: string;
  let operator: Session;
  let owner: Session;
  const pageErrors: string[] = [];

  const gql = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await gw.t.gql(query, variables, token ? { token } : {});
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };

  /** A browser page with the cookies a sign-in set (session and CSRF), as the sign-in screen leaves them. */
  async function pageAs(session: Session, locale = 'en'): Promise<Page> {
    const context = await sessionContext(browser, gw.t.url, session.cookie, { locale });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  async function open(page: Page, path: string, heading: RegExp | string) {
    await page.goto(`${gw.t.url}/console${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  const balance = async () =>
    (await gw.t.app.services.db.wallet.findUniqueOrThrow({ where: { id: dbId(walletId) } })).balanceNanos;

  async function topUp(
    amountMinor: string,
    key: string,
    paymentMethod: string,
  ): Promise<{ id: string; providerTxnId: string }> {
    const res = await gql(
      `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) { payment { id providerTxnId } } }`,
      { input: { currency: 'USD', amount: amountMinor, idempotencyKey: key } },
      gw.key,
    );
    gw.stripe.customerPays(res.createTopUp.payment.providerTxnId, paymentMethod);
    await gw.settle();
    return res.createTopUp.payment;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    gw = await startStripeGateway({
      name: 'ops',
      org: 'Acme Operators Test',
      email: 'owner@acme.test',
      // One operator session opens every screen within a minute here, past the 10,000 a session may
      // spend per minute by default (docs/security.md#graphql-limits); a person clicks slower.
      env: { GRAPHQL_COST_BUDGET_PER_MINUTE: '100000' },
    });
    orgId = (await gql('{ viewer { organization { id } } }', {}, gw.key)).viewer.organization.id;
    const granted = await gql(
      `mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { wallet { id } } }`,
      {
        input: {
          wallet: { organizationId: orgId, ownerType: 'ORGANIZATION', ownerId: orgId, currency: 'USD' },
          amountNanos: (100n * USD).toString(),
          reason: 'welcome credit',
          idempotencyKey: 'seed-grant',
        },
      },
    );
    walletId = granted.grantCredits.wallet.id;
    await createPasswordUser(gw.t.app.services.db, {
      email: 'ops@tollgate.test',
      password: PASSWORD,
      platformAdmin: true,
    });
    await createPasswordUser(gw.t.app.services.db, {
      email: 'alice@acme.test',
      password: PASSWORD,
      organizationId: dbId(orgId),
      role: 'owner',
    });
    operator = await signInOverHttp(gw.t.url, 'ops@tollgate.test', PASSWORD);
    owner = await signInOverHttp(gw.t.url, 'alice@acme.test', PASSWORD);
    await gql(`mutation($input: CreatePriceRuleInput!) { createPriceRule(input: $input) { id } }`, {
      input: { modelPattern: 'gpt-4o-mini', currency: 'USD', baseNanosPerToken: '150' },
    });
    const plan = await gql(`mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`, {
      input: {
        code: 'team-daily',
        name: 'Team daily',
        kind: 'DAILY_LIMIT',
        dailyLimits: [{ metric: 'COST', currency: 'USD', limitValue: (5n * USD).toString() }],
      },
    });
    await gql(`mutation($o: ID!, $p: ID!) { grantPlan(organizationId: $o, planId: $p) { id } }`, {
      o: orgId,
      p: plan.createPlan.id,
    });
    await gql(`mutation($input: AssignPlanInput!) { assignPlan(input: $input) { id } }`, {
      input: {
        organizationId: orgId,
        planId: plan.createPlan.id,
        subjectType: 'ORGANIZATION',
        subjectId: orgId,
      },
    });
    await gql(`mutation($s: JSON!) { setRiskSettings(scopeType: GLOBAL, settings: $s) { scopeType } }`, {
      s: { rateLimits: { keyRequestsPerMinute: 600 } },
    });
    reviewPaymentId = (await topUp('4000', 'risky', 'pm_card_riskLevelElevated')).id;
    paidPaymentId = (await topUp('2000', 'paid', 'pm_card_visa')).id;
    const disputed = await topUp('3000', 'disputed', 'pm_card_visa');
    gw.stripe.dispute(disputed.providerTxnId, 'fraudulent');
    await gw.settle();
    // A delivery whose endpoint is gone is dead-lettered by the worker, as after deleteWebhookEndpoint.
    await enqueueOutbox(gw.t.app.services.db, {
      topic: 'notification.webhook',
      payload: { endpointId: 'gone', eventId: 'evt-dead', eventType: 'BALANCE_LOW', body: '{}' },
    });
    await gw.t.app.services.outbox.drain();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await gw?.close();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('organizations: finds the organization, opens it, grants and adjusts with a reason; a missing reason posts nothing', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/organizations', 'Organizations');
    await page.getByLabel('Search by name, slug or id').fill('acme operators');
    await page.getByRole('link', { name: 'Acme Operators Test' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Operators Test' }).waitFor();
    const wallets = page.getByRole('table', { name: 'Wallets' });
    const start = await balance();
    const usd = (nanos: bigint) => formatMoney({ amount: nanos.toString(), currency: 'USD', unit: 'NANO' });
    await expect.poll(() => wallets.textContent()).toContain(usd(start));
    expect(await page.getByRole('table', { name: 'Members' }).textContent()).toContain('owner@acme.test');
    expect(await page.getByRole('table', { name: 'Plans assigned' }).textContent()).toContain('team-daily');
    expect(await seriousA11yViolations(page)).toEqual([]);

    const grant = page.getByRole('form', { name: 'Grant credits' });
    await grant.getByLabel('Amount (major units, e.g. 12.50)').fill('12.50');
    await grant.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => grant.getByRole('alert').textContent()).toContain('Give a reason');
    expect(await balance()).toBe(start);

    await grant.getByLabel('Reason (required, kept in the audit log)').fill('launch promotion');
    await grant.getByRole('button', { name: 'Grant' }).click();
    await expect
      .poll(() => grant.getByRole('status').textContent())
      .toContain(`Balance now ${usd(start + 12_500_000_000n)}`);
    await expect.poll(() => wallets.textContent()).toContain(usd(start + 12_500_000_000n));

    const adjust = page.getByRole('form', { name: 'Adjust a wallet' });
    await adjust.getByLabel('Amount (major units; -5 debits)').fill('-2.5');
    await adjust.getByLabel('Reason (required, kept in the audit log)').fill('duplicate credit');
    await adjust.getByRole('button', { name: 'Adjust' }).click();
    await expect
      .poll(() => adjust.getByRole('status').textContent())
      .toContain(`Balance now ${usd(start + 10n * USD)}`);
    expect(await balance()).toBe(start + 10n * USD);
    expect((await gw.t.app.services.ledger.checkConsistency()).ok).toBe(true);
    await saveScreenshot(page, 'operator-organizations');
  });

  it('a grant whose answer is lost is posted once when the operator submits it again', async () => {
    const page = await pageAs(operator);
    let dropped = false;
    await page.route('**/graphql', async (route) => {
      if (!dropped && (route.request().postData() ?? '').includes('OperatorGrantCredits')) {
        dropped = true;
        await route.fetch(); // the gateway posts it; the answer never reaches the page
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await open(page, `/operator/organizations?id=${encodeURIComponent(orgId)}`, 'Acme Operators Test');
    const start = await balance();
    const grant = page.getByRole('form', { name: 'Grant credits' });
    await grant.getByLabel('Amount (major units, e.g. 12.50)').fill('7');
    await grant.getByLabel('Reason (required, kept in the audit log)').fill('lost answer');
    await grant.getByRole('button', { name: 'Grant' }).click();
    await grant.getByRole('alert').waitFor();
    expect(await balance()).toBe(start + 7n * USD);
    await grant.getByRole('button', { name: 'Grant' }).click();
    await expect
      .poll(() => grant.getByRole('status').textContent())
      .toContain('Already posted (same request)');
    expect(await balance()).toBe(start + 7n * USD);
  });

  it('prices: lists the rule, quotes a request exactly, schedules a price change', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/pricing', 'Prices');
    const rules = page.getByRole('table', { name: 'Price rules' });
    await expect.poll(() => rules.textContent()).toContain('gpt-4o-mini');
    expect(await rules.textContent()).toContain('0.15 per 1M tokens');

    const quote = page.getByRole('form', { name: 'Price quote' });
    await quote.getByLabel('Model').fill('gpt-4o-mini');
    await quote.getByRole('button', { name: 'Quote' }).click();
    // 2,000 tokens × 150 nanos = 300,000 nanos.
    await expect.poll(() => quote.getByRole('status').textContent()).toContain('0.0003 USD for gpt-4o-mini');

    await page.getByRole('button', { name: 'Schedule change gpt-4o-mini USD' }).click();
    const form = page.getByRole('form', { name: 'Schedule a price change for gpt-4o-mini' });
    await form.getByLabel('Base price (nanos per token)').fill('200');
    const at = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    await form.getByLabel('Effective from (UTC)').fill(at);
    await form.getByRole('button', { name: 'Schedule change' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Scheduled');
    const stored = await gw.t.app.services.db.priceRule.findMany({ where: { modelPattern: 'gpt-4o-mini' } });
    expect(stored.map((r) => r.baseNanosPerToken).sort()).toEqual([150n, 200n]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-pricing');
  });

  it('plans: creates a plan with a daily cost limit, shows grants, lists and ends an assignment', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/plans', 'Plans');
    const plans = page.getByRole('table', { name: 'Plans' });
    await expect.poll(() => plans.textContent()).toContain('COST ≤ 5 USD');

    await page.getByRole('button', { name: 'New plan' }).click();
    const form = page.getByRole('form', { name: 'New plan' });
    await form.getByLabel('Code', { exact: true }).fill('night-owl');
    await form.getByLabel('Name', { exact: true }).fill('Night owl');
    await form.getByRole('button', { name: 'Add a limit' }).click();
    await form.getByLabel('Limit (cost: major units; else a count)').fill('2.5');
    await form.getByRole('button', { name: 'Create plan' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Plan saved');
    await expect.poll(() => plans.textContent()).toContain('COST ≤ 2.5 USD');
    const created = await gw.t.app.services.db.plan.findFirstOrThrow({
      where: { code: 'night-owl' },
      include: { dailyLimits: true },
    });
    expect(created.dailyLimits.map((l) => l.limitValue)).toEqual([2_500_000_000n]);

    await page.getByRole('button', { name: 'Edit team-daily' }).click();
    await page
      .getByRole('region', { name: 'Grants of private plan team-daily' })
      .getByRole('button', { name: 'Revoke for Acme Operators Test' })
      .waitFor();
    await page
      .getByLabel('Assignments of organization')
      .selectOption({ label: 'Acme Operators Test (acme-operators-test)' });
    const assignments = page.getByRole('table', { name: 'Assignments' });
    await expect.poll(() => assignments.textContent()).toContain('Team daily (team-daily)');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-plans');
    await page.getByRole('button', { name: 'End now: team-daily' }).click();
    await expect.poll(() => page.getByRole('status').last().textContent()).toContain('Assignment updated');
    const ended = await gw.t.app.services.db.planAssignment.findFirstOrThrow({
      where: { organizationId: dbId(orgId) },
    });
    expect(ended.effectiveTo).not.toBeNull();
  });

  it('risk: edits a known field, saves it, and shows the gateway’s validation issues for a bad JSON shape', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/risk', 'Risk settings');
    const field = page.getByLabel('Requests per minute per key');
    await expect.poll(() => field.inputValue()).toBe('600');
    await field.fill('1200');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved');
    const stored = await gql('{ riskSettings(scopeType: GLOBAL) { settings } }');
    expect(stored.riskSettings.settings).toEqual({ rateLimits: { keyRequestsPerMinute: 1200 } });

    await page.getByLabel('Settings (JSON, validated by the gateway)').fill('{"rateLimits": {"bogus": 1}}');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.getAttribute('data-code')).toBe('VALIDATION_FAILED');
    expect(await page.getByRole('list', { name: 'Problems' }).textContent()).toContain('rateLimits');
    const after = await gql('{ riskSettings(scopeType: GLOBAL) { settings } }');
    expect(after.riskSettings.settings).toEqual({ rateLimits: { keyRequestsPerMinute: 1200 } });

    const effective = page.getByRole('form', { name: 'Effective settings' });
    await effective.getByLabel('Organization id').fill(orgId);
    await effective.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => effective.locator('pre').textContent()).toContain('"keyRequestsPerMinute": 1200');
    expect(await effective.locator('pre').textContent()).toContain('"disputeFreeze": "disputed_amount"');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-risk');
  });

  it('payments: releases a payment held for review and refunds part of another', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/payments', 'Payments and disputes');
    const table = page.getByRole('table', { name: 'Payments' });
    await expect.poll(() => table.textContent()).toContain('40.00 USD');
    expect(await table.textContent()).not.toContain('20.00 USD');
    const disputes = page.getByRole('table', { name: 'Disputes' });
    await expect.poll(() => disputes.textContent()).toContain('fraudulent');
    expect(await disputes.textContent()).toContain('30.00 USD');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-payments');
    await page.getByRole('button', { name: `Release payment ${reviewPaymentId}` }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Released');
    await expect.poll(() => table.textContent()).toContain('No payment needs review');

    await page.getByLabel('Only payments needing review').uncheck();
    await page.getByRole('button', { name: `Refund payment ${paidPaymentId}` }).click();
    const form = page.getByRole('form', { name: `Refund 20.00 USD payment ${paidPaymentId}` });
    await form.getByLabel('Amount (major units; empty = all that remains)').fill('5.00');
    await form.getByLabel('Reason').fill('customer asked');
    await form.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('5.00 USD');
    await gw.settle();
    const refunds = await gw.t.app.services.db.refund.findMany();
    expect(refunds.map((r) => r.amountMinor)).toEqual([500n]);
  });

  it('outbox: lists the dead letter and replays it', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/outbox', 'Outbox');
    const table = page.getByRole('table', { name: 'Deliveries to external systems' });
    await expect.poll(() => table.textContent()).toContain('webhook endpoint deleted');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-outbox');
    const dead = await gw.t.app.services.db.outboxMessage.findFirstOrThrow({ where: { status: 'dead' } });
    await page
      .getByRole('button', { name: /^Replay delivery / })
      .first()
      .click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('PENDING');
    const row = await gw.t.app.services.db.outboxMessage.findUniqueOrThrow({ where: { id: dead.id } });
    expect(row.status).toBe('pending');
  });

  it('outbox: pages through more deliveries than a page holds, and a new filter starts at the first page', async () => {
    // 51 deliveries not due for a day: they stay pending, one more than the screen's page of 50.
    const tomorrow = new Date(Date.now() + 86_400_000);
    await enqueueOutbox(
      gw.t.app.services.db,
      Array.from({ length: 51 }, (_, i) => ({
        topic: 'paging.test',
        payload: { i },
        notBefore: tomorrow,
      })),
    );
    const page = await pageAs(operator);
    await open(page, '/operator/outbox', 'Outbox');
    await page.getByLabel('Topic').fill('paging.test');
    await page.getByLabel('Status').selectOption('PENDING');
    const table = page.getByRole('table', { name: 'Deliveries to external systems' });
    const rows = () => table.getByRole('row').count();
    await expect.poll(rows).toBe(51); // the header and 50
    expect(await page.getByRole('button', { name: 'First page' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('button', { name: 'First page' }).waitFor();
    await expect.poll(rows).toBe(2);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    // Another filter: the cursor of the old one is dropped.
    await page.getByLabel('Status').selectOption('');
    await expect.poll(() => page.getByRole('button', { name: 'First page' }).count()).toBe(0);
    await expect.poll(rows).toBe(51);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(1);
  });

  it('consistency: proves the ledger consistent and shows what a missing integration answers', async () => {
    const page = await pageAs(operator);
    await open(page, '/operator/health', 'Consistency');
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Consistent');
    await page.getByRole('button', { name: 'Reconcile' }).click();
    await expect.poll(() => page.getByRole('alert').getAttribute('data-code')).toBe('LAGO_NOT_CONFIGURED');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-health');
  });

  it('reads in Simplified Chinese', async () => {
    const page = await pageAs(operator, 'zh-CN');
    await open(page, '/operator/organizations', '组织');
    await page.getByRole('link', { name: 'Acme Operators Test' }).click();
    await page.getByRole('heading', { level: 2, name: '赠送额度' }).waitFor();
    expect(await page.getByRole('navigation').textContent()).toContain('一致性');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'operator-organizations-zh-CN');
  });

  it('a customer gets no operator navigation, and the gateway refuses the operator queries on screen', async () => {
    const page = await pageAs(owner);
    await page.goto(`${gw.t.url}/console/operator/outbox`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await alert.textContent()).toMatch(/request /);
    expect(await page.getByRole('navigation').textContent()).not.toContain('Outbox');
    expect(await page.getByRole('link', { name: 'Organizations' }).count()).toBe(0);
    await saveScreenshot(page, 'operator-refused-for-customer');

    // Typed straight into the address bar, a screen whose reads the owner may make still cannot grant.
    await open(page, `/operator/organizations?id=${encodeURIComponent(orgId)}`, 'Acme Operators Test');
    const start = await balance();
    const grant = page.getByRole('form', { name: 'Grant credits' });
    await grant.getByLabel('Amount (major units, e.g. 12.50)').fill('1000');
    await grant.getByLabel('Reason (required, kept in the audit log)').fill('to myself');
    await grant.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => grant.getByRole('alert').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await balance()).toBe(start);
  });

  it('a grant by the operator reaches the organization’s owner live', async () => {
    // The owner's signed-in session subscribes as the console does (cookie, our Origin, CSRF in the
    // connection parameters). TODO(overview): watch Overview in a second browser context once it is on main.
    const ws = createClient({
      url: `${gw.t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { cookie: owner.cookie }, origin: gw.t.url });
        }
      },
      connectionParams: { 'x-tollgate-csrf': owner.csrf },
      retryAttempts: 0,
    });
    const seen: string[] = [];
    const stop = ws.subscribe(
      {
        query: `subscription($id: ID!) { balanceChanged(walletId: $id) { reason balance { amount } } }`,
        variables: { id: walletId },
      },
      {
        next: (m) => seen.push((m.data as any).balanceChanged.balance.amount),
        error: () => {},
        complete: () => {},
      },
    );
    const page = await pageAs(operator);
    await open(page, `/operator/organizations?id=${encodeURIComponent(orgId)}`, 'Acme Operators Test');
    const grant = page.getByRole('form', { name: 'Grant credits' });
    const before = await balance();
    // The subscription is live once its pub/sub channel is subscribed: grant (new key each time) until one arrives.
    for (let i = 0; seen.length === 0 && i < 20; i++) {
      await grant.getByLabel('Amount (major units, e.g. 12.50)').fill('1');
      await grant.getByLabel('Reason (required, kept in the audit log)').fill(`live ${i}`);
      await grant.getByRole('button', { name: 'Grant' }).click();
      await expect.poll(() => grant.getByRole('status').textContent()).toContain('Balance now');
    }
    stop();
    await ws.dispose();
    const after = await balance();
    expect(after > before).toBe(true);
    expect(seen.map(BigInt)).toContain(after);
  });
});
