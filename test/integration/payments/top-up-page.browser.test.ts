import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret } from '../../doubles/stripe/signing.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const CHROMIUM = '/usr/bin/chromium';
const STRIPE_KEY = 'sk_test_tollgate_page';

/**
 * js.stripe.com cannot be reached here (and must not be bundled), so the test serves a stand-in
 * Stripe.js at that URL. It mounts a fake Payment Element and, on confirmPayment, asks the Stripe
 * double to confirm the PaymentIntent with a test card — the double then sends the signed webhook
 * to the gateway, as Stripe would — and redirects to return_url like Stripe.js does.
 */
function fakeStripeJs(doubleControlUrl: string) {
  return `
window.Stripe = function (pk) {
  window.__stripe = { pk: pk };
  return {
    elements: function (opts) {
      window.__stripe.clientSecret = opts.clientSecret;
      return { create: function (kind) { return { mount: function (sel) {
        var el = document.querySelector(sel);
        el.innerHTML = '<div data-testid="payment-element">' + kind + ' element: card, alipay</div>';
      } }; } };
    },
    confirmPayment: function (args) {
      var pi = window.__stripe.clientSecret.split('_secret_')[0];
      var card = document.querySelector('#payment-element').getAttribute('data-card') || 'pm_card_visa';
      return fetch('${doubleControlUrl}?pi=' + pi + '&pm=' + card, { method: 'POST' }).then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.error) return { error: { message: res.error } };
          location.href = args.confirmParams.return_url + '?payment_intent=' + pi + '&redirect_status=succeeded';
          return new Promise(function () {});
        });
    }
  };
};`;
}

describe('hosted top-up page in headless Chromium', () => {
  let db: TestDatabase;
  let stripe: StripeDouble;
  let t: TestApp;
  let browser: Browser;
  let key: string;
  let control: import('node:http').Server;
  let controlUrl: string;

  beforeAll(async () => {
    // scripts/test.sh installs Debian's chromium; without it this suite must fail, not skip.
    db = await openTestDatabase('pglite');
    const secret = newWebhookSecret();
    stripe = await StripeDouble.start({ apiKeys: [STRIPE_KEY], webhookSecrets: [secret] });
    t = await startTestApp(db, {
      env: {
        PAYMENT_PROVIDERS: 'stripe',
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_PUBLISHABLE_KEY: 'pk_test_page',
        STRIPE_WEBHOOK_SECRETS: secret,
        STRIPE_API_BASE: stripe.baseUrl,
        PAYMENT_RETURN_URL: 'http://127.0.0.1/return',
      },
    });
    stripe.webhooks.url = `${t.url}/webhooks/stripe`;
    // PUBLIC_BASE_URL must point at the test server for the return URL.
    (t.app.services.config as any).PUBLIC_BASE_URL = t.url;
    key = (await bootstrap(t.app.services, { org: 'Page Org', email: 'page@acme.test' })).apiKey;
    const http = await import('node:http');
    control = http.createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      const pi = stripe.customerConfirms(u.searchParams.get('pi')!, u.searchParams.get('pm')!, {
        returnUrl: 'http://127.0.0.1/return',
      });
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(
        JSON.stringify(pi.status === 'succeeded' ? { ok: true } : { error: 'Your card was declined.' }),
      );
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
    controlUrl = `http://127.0.0.1:${(control.address() as import('node:net').AddressInfo).port}/confirm`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    control?.close();
    await t?.close();
    await stripe?.close();
    await db?.close();
  });

  async function startTopUp(idempotencyKey: string) {
    const res = await t.gql(
      `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) { paymentPageUrl walletId } }`,
      { input: { currency: 'USD', amount: '2000', idempotencyKey } },
      { token: key },
    );
    return res.data.createTopUp as { paymentPageUrl: string; walletId: string };
  }

  async function openPage(url: string) {
    const page = await browser.newPage();
    await page.route('https://js.stripe.com/**', (route) =>
      route.fulfill({ contentType: 'application/javascript', body: fakeStripeJs(controlUrl) }),
    );
    await page.goto(url);
    return page;
  }

  it('shows the Payment Element, pays, returns, and shows the credited status from the server', async () => {
    const top = await startTopUp('browser-1');
    const page = await openPage(top.paymentPageUrl);
    await expect.poll(() => page.textContent('[data-testid="payment-element"]')).toContain('payment element');
    expect(await page.textContent('#amount')).toBe('20.00 USD');
    expect(await page.evaluate(() => (window as any).__stripe.pk)).toBe('pk_test_page');
    await page.click('#submit');
    await page.waitForURL(/\/return\?/);
    await expect
      .poll(() => page.textContent('#status'), { timeout: 10_000 })
      .toContain('Payment succeeded: 20.00 USD');
    await page.screenshot({ path: '.tmp/top-up-return.png' });
    const wallet = await t.app.services.db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(wallet.balanceNanos).toBe(20_000_000_000n);
    await page.close();
  });

  it('shows a declined card and lets the customer try again', async () => {
    const top = await startTopUp('browser-2');
    const page = await openPage(top.paymentPageUrl);
    await page.waitForSelector('[data-testid="payment-element"]');
    await page.evaluate(() =>
      document.querySelector('#payment-element')!.setAttribute('data-card', 'pm_card_chargeDeclined'),
    );
    await page.click('#submit');
    await expect.poll(() => page.textContent('#message')).toContain('declined');
    expect(await page.isEnabled('#submit')).toBe(true);
    await page.close();
  });
});
