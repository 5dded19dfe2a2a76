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
import { VIEWPORT, signInThroughScreen } from '../../helpers/console-session.ts';
import { type Gateway, startGateway } from '../gateway/helpers.ts';

const PASSWORD = 'correct horse battery staple';
const usd = (amount: string | bigint) =>
  formatMoney({ amount: amount.toString(), currency: 'USD', unit: 'NANO' });

/**
 * Issue 20's journey, in one browser tab that is never reloaded after signing in: a customer signs in,
 * an operator grants credits and the customer sees them arrive, the customer creates an API key, a
 * program spends with it through the proxy (LiteLLM data-plane double) and the balance, today's use and
 * the 30-day chart follow live.
 */
describe('console journey, in headless Chromium', () => {
  let g: Gateway;
  let browser: Browser;
  const email = `customer-${Date.now()}@acme.test`;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    g = await startGateway({
      upstream: { promptTokens: 120_000, completionTokens: 30_000, cachedTokens: 0 },
    });
    await createPasswordUser(g.t.app.services.db, {
      email,
      password: PASSWORD,
      organizationId: g.organizationId,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  it('signs in, sees a grant arrive, creates a key, spends with it and watches the balance drop live', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // 1. Sign in through the sign-in screen.
    await page.goto(`${g.t.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in to Tollgate' }).waitFor();
    await signInThroughScreen(page, email, PASSWORD);
    let loads = 0;
    page.on('load', () => loads++);
    const balance = page.getByTestId('balance');
    await expect.poll(() => balance.textContent()).toBe('0.0000 USD');
    await saveScreenshot(page, 'journey-1-signed-in');

    // 2. An operator grants 10 USD (GraphQL with the operator's token); the open overview shows it.
    const granted = await g.t.gql(
      `mutation($i: GrantCreditsInput!) { grantCredits(input: $i) { balanceAfter { amount } } }`,
      {
        i: {
          walletId: g.orgWalletId,
          amountNanos: '10000000000',
          idempotencyKey: `grant-${email}`,
          reason: 'welcome',
        },
      },
    );
    expect(granted.errors).toBeUndefined();
    await expect.poll(() => balance.textContent()).toBe('10.0000 USD');
    await saveScreenshot(page, 'journey-2-credits-granted');

    // 3. The customer creates an API key with the session (the page's own cookie and CSRF header).
    const created = await page.evaluate(async () => {
      const csrf = decodeURIComponent(/tollgate_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '');
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tollgate-csrf': csrf },
        body: JSON.stringify({
          query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
          variables: { i: { name: 'journey', scopes: ['INFERENCE', 'READ'] } },
        }),
      });
      return r.json();
    });
    expect(created.errors).toBeUndefined();
    const secret: string = created.data.createApiKey.secret;

    // 4. A program spends with the key through the proxy; the overview follows without a reload.
    const answer = await g.client(secret).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(answer.usage?.total_tokens).toBe(150_000);
    const after = await g.balance();
    expect(after).toBeLessThan(10_000_000_000n);
    await expect.poll(() => balance.textContent()).toBe(usd(after));
    await expect
      .poll(() => page.getByTestId('spend-total').textContent())
      .toBe(`Total ${usd(10_000_000_000n - after)} · requests: 1`);
    await page.getByRole('img', { name: /Spend per day over the last 30 days in USD/ }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'journey-3-spent');

    expect(loads).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
