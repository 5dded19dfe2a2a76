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
      // Like the real Payment Element: 'ready' fires once it has rendered.
      return { create: function (kind) { var on = {}; return {
        on: function (name, cb) { on[name] = cb; },
        mount: function (sel) {
          var el = document.querySelector(sel);
          el.innerHTML = '<div data-testid="payment-element">' + kind + ' element: card, alipay</div>';
          setTimeout(function () { if (on.ready) on.ready({ elementType: kind }); }, 0);
        } }; } };
    },
    confirmPayment: function (args) {
      var pi = window.__stripe.clientSecret.split('_secret_')[0];
      var card = document.querySelector('#payment-element').getAttribute('data-card') || 'pm_card_visa';
      return fetch('${doubleControlUrl}?pi=' + pi + '&pm=' + card, { method: 'POST' }).then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.error) return { error: { message: res.error } };
          // Stripe.js appends the PaymentIntent, its client secret and redirect_status to return_url.
          location.href = args.confirmParams.return_url + '?payment_intent=' + pi +
            '&payment_intent_client_secret=' + encodeURIComponent(window.__stripe.clientSecret) + '&redirect_status=succeeded';
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
        // Webhooks are applied by the outbox worker, as in production: the page polls until it has.
        OUTBOX_ENABLED: 'true',
        OUTBOX_POLL_INTERVAL_MS: '20',
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

  async function openPage(url: string, stripeJs: 'served' | 'blocked' = 'served') {
    const page = await browser.newPage();
    await page.route('https://js.stripe.com/**', (route) =>
      stripeJs === 'blocked'
        ? route.abort('blockedbyclient')
        : route.fulfill({ contentType: 'application/javascript', body: fakeStripeJs(controlUrl) }),
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
    await page.waitForURL(/\/return/);
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

  it('keeps Pay disabled until the Payment Element is ready', async () => {
    const top = await startTopUp('browser-3');
    const page = await browser.newPage();
    let serve: () => void = () => {};
    const served = new Promise<void>((r) => {
      serve = r;
    });
    await page.route('https://js.stripe.com/**', async (route) => {
      await served;
      await route.fulfill({ contentType: 'application/javascript', body: fakeStripeJs(controlUrl) });
    });
    // Stripe.js still loading: the page's load event has not fired yet.
    await page.goto(top.paymentPageUrl, { waitUntil: 'domcontentloaded' });
    await expect.poll(() => page.textContent('#amount')).toBe('20.00 USD');
    expect(await page.isDisabled('#submit')).toBe(true);
    expect(await page.textContent('#message')).toContain('Loading');
    serve();
    await expect.poll(() => page.isEnabled('#submit')).toBe(true);
    await page.close();
  });

  it('keeps Pay disabled and says what to do when Stripe.js cannot be loaded (blocked js.stripe.com)', async () => {
    const top = await startTopUp('browser-4');
    const page = await openPage(top.paymentPageUrl, 'blocked');
    await expect.poll(() => page.textContent('#message')).toContain('could not be loaded');
    const message = (await page.textContent('#message')) ?? '';
    expect(message).toContain('js.stripe.com');
    expect(message).toContain('reload this page');
    expect(message).toContain('Nothing has been charged');
    expect(await page.isVisible('#message')).toBe(true);
    expect(await page.getAttribute('#message', 'class')).toBe('error');
    expect(await page.isDisabled('#submit')).toBe(true);
    await page.screenshot({ path: '.tmp/top-up-stripe-js-blocked.png' });
    await page.close();
  });

  it('shows the return page only to the browser that paid: the secret leaves the address bar, and a bare link shows nothing', async () => {
    const top = await startTopUp('browser-5');
    const page = await openPage(top.paymentPageUrl);
    await expect.poll(() => page.isEnabled('#submit')).toBe(true);
    await page.click('#submit');
    await expect.poll(() => page.textContent('#status'), { timeout: 10_000 }).toContain('Payment succeeded');
    expect(page.url()).not.toContain('secret');
    const paymentId = new URL(top.paymentPageUrl).pathname.split('/')[2];
    const stranger = await browser.newPage();
    await stranger.goto(`${t.url}/pay/${paymentId}/return`);
    await expect.poll(() => stranger.textContent('#status')).toContain('no payment session');
    expect(await stranger.textContent('body')).not.toContain('20.00');
    await stranger.close();
    await page.close();
  });
});
