import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../../console/src/ui/money.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { signedInContext } from '../../helpers/console-session.ts';
import { type Gateway, startGateway } from '../gateway/helpers.ts';

const PASSWORD = 'correct horse battery staple';
const usd = (amount: string | bigint) =>
  formatMoney({ amount: amount.toString(), currency: 'USD', unit: 'NANO' });

describe('console overview, in headless Chromium', () => {
  let g: Gateway;
  let browser: Browser;
  const owner = `owner-${Date.now()}@acme.test`;
  const member = `member-${Date.now()}@acme.test`;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    // Big token counts so one request moves the balance by cents, which the overview shows.
    g = await startGateway({
      upstream: { promptTokens: 200_000, completionTokens: 50_000, cachedTokens: 0 },
    });
    await g.fund(25_000_000_000n); // 25 USD
    const s = g.t.app.services;
    const plan = await s.plans.createPlan({
      code: `daily-${g.organizationId.slice(-8)}`,
      name: 'Daily 100',
      kind: 'daily_limit',
      dailyLimits: [{ metric: 'requests', limitValue: 100n }],
    });
    await s.plans.assignPlan({
      planId: plan.id,
      organizationId: g.organizationId,
      subjectType: 'organization',
      subjectId: g.organizationId,
      effectiveFrom: new Date('2026-01-01T00:00:00Z'),
    });
    await createPasswordUser(s.db, { email: owner, password: PASSWORD, organizationId: g.organizationId });
    await createPasswordUser(s.db, {
      email: member,
      password: PASSWORD,
      organizationId: g.organizationId,
      role: 'member',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  it('shows the balance and follows a proxied request live, without a reload', async () => {
    const context = await signedInContext(browser, g.t.url, owner, PASSWORD);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${g.t.url}/console/`);
    const balance = page.getByTestId('balance');
    await expect.poll(() => balance.textContent()).toBe('25.0000 USD');
    await expect.poll(() => page.getByText('0 of 100').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('spend-total').textContent())
      .toBe('No usage in the last 30 days.');
    // A grant shown without a reload: the wallet's subscription is live before anything is spent.
    await g.fund(1_000_000_000n);
    await expect.poll(() => balance.textContent()).toBe('26.0000 USD');

    // The owner's API key (a program), while the owner watches in the browser.
    const done = await g.client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(done.usage?.total_tokens).toBe(250_000);
    const after = await g.balance();
    expect(after).toBeLessThan(26_000_000_000n);
    await expect.poll(() => balance.textContent()).toBe(usd(after));
    await expect.poll(() => page.getByText('1 of 100').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('spend-total').textContent())
      .toBe(`Total ${usd(26_000_000_000n - after)} · requests: 1`);
    expect(loads).toBe(1);
    expect(errors).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'overview');
    await context.close();
  });

  it('loads the balances again when the WebSocket comes back, so a change made while it was down shows', async () => {
    const context = await signedInContext(browser, g.t.url, owner, PASSWORD);
    const page = await context.newPage();
    const sockets: import('playwright-core').WebSocket[] = [];
    const upgraded: import('node:stream').Duplex[] = [];
    g.t.app.server.on('upgrade', (_req, socket) => upgraded.push(socket));
    page.on('websocket', (ws) => sockets.push(ws));
    await page.goto(`${g.t.url}/console/`);
    const balance = page.getByTestId('balance');
    const start = await g.balance();
    await expect.poll(() => balance.textContent()).toBe(usd(start));
    await g.fund(1_000_000_000n);
    // Pushed: a busy machine may take more than the default second to deliver it.
    await expect.poll(() => balance.textContent(), { timeout: 10_000 }).toBe(usd(start + 1_000_000_000n));
    expect(sockets).toHaveLength(1);

    // The connection drops (the gateway's side of the socket is destroyed); the grant made before the
    // console reconnects (graphql-ws waits a second or more first) is never delivered on a socket.
    const closed = new Promise((resolve) => sockets[0]!.on('close', resolve));
    upgraded.at(-1)!.destroy();
    await closed;
    await g.fund(2_000_000_000n);
    await expect.poll(() => sockets.length, { timeout: 20_000 }).toBe(2);
    await expect.poll(() => balance.textContent(), { timeout: 10_000 }).toBe(usd(start + 3_000_000_000n));
    await context.close();
  });

  it('shows a member the organization balance but only the member’s own spend, in Chinese', async () => {
    const context = await signedInContext(browser, g.t.url, member, PASSWORD, { locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${g.t.url}/console/`);
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(usd(await g.balance()));
    // The owner's request is not the member's: usageAggregates answers the member's own.
    await expect.poll(() => page.getByTestId('spend-total').textContent()).toBe('近 30 天没有用量。');
    // No operator screen, and the member's navigation has no operator section.
    expect(await page.getByRole('link', { name: '组织' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'overview-member-zh-CN');
    await context.close();
  });
});
