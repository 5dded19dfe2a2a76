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
 * creates an API key on the API keys screen, an operator grants credits and the customer sees them
 * arrive, a program spends with it through the proxy (LiteLLM data-plane double), the balance
 * and the 30-day chart follow live, and the request is in the usage log.
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

  it('signs in, creates a key, sees a grant arrive, spends with the key and watches the balance drop live', async () => {
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

    // 2. The customer creates an API key on the API keys screen (reached by the navigation, no reload).
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill('journey');
    await form.getByRole('button', { name: 'Save' }).click();
    const secret = await page
      .getByRole('region', { name: 'Your new key “journey”' })
      .getByLabel('Secret API key')
      .inputValue();
    expect(secret).toMatch(/^tg-/);
    await saveScreenshot(page, 'journey-2-key-created');
    await nav.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => balance.textContent()).toBe('0.0000 USD');

    // 3. An operator grants 10 USD (GraphQL with the operator's token); the open overview shows it, which
    //    also proves its subscription is live before anything is spent.
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
    await saveScreenshot(page, 'journey-3-credits-granted');

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
    await saveScreenshot(page, 'journey-4-spent');

    // 5. The request in the usage log, by its request id.
    await nav.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    const records = await g.t.gql('{ usageRecords(first: 1) { edges { node { requestId } } } }');
    const requestId: string = records.data.usageRecords.edges[0].node.requestId;
    await page
      .getByRole('table', { name: 'Proxied requests, newest first' })
      .getByRole('cell', { name: requestId })
      .waitFor();
    await saveScreenshot(page, 'journey-5-usage-log');

    expect(loads).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
