import type { Browser, BrowserContext } from 'playwright-core';
import { formatMoney } from '../../../console/src/ui/money.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { type Gateway, startGateway } from '../gateway/helpers.ts';

describe('console overview, in headless Chromium', () => {
  let g: Gateway;
  let browser: Browser;

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
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  async function signedIn(): Promise<BrowserContext> {
    // TEMPORARY until sign-in lands: the owner's key as a header set by the test, never by the console.
    return browser.newContext({
      viewport: { width: 1280, height: 800 },
      extraHTTPHeaders: { authorization: `Bearer ${g.apiKey}` },
    });
  }

  it('shows the balance and follows a proxied request live, without a reload', async () => {
    const context = await signedIn();
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

    const done = await g.client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(done.usage?.total_tokens).toBe(250_000);
    const after = (await g.balance()).toString();
    expect(BigInt(after)).toBeLessThan(25_000_000_000n);
    const usd = (amount: string) => formatMoney({ amount, currency: 'USD', unit: 'NANO' });
    await expect.poll(() => balance.textContent()).toBe(usd(after));
    await expect.poll(() => page.getByText('1 of 100').count()).toBe(1);
    const spent = (25_000_000_000n - BigInt(after)).toString();
    await expect
      .poll(() => page.getByTestId('spend-total').textContent())
      .toBe(`Total ${usd(spent)} · requests: 1`);
    expect(loads).toBe(1);
    expect(errors).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'overview');
    await context.close();
  });
});
