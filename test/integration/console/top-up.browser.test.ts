import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { AlipayDouble } from '../../doubles/alipay/server.ts';
import { generateRsaKeyPair } from '../../doubles/alipay/signing.ts';
import { StripeDouble } from '../../doubles/stripe/server.ts';
import { newWebhookSecret } from '../../doubles/stripe/signing.ts';
import { routeStripe } from '../../doubles/stripe/stripe-js.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { signedInContext } from '../../helpers/console-session.ts';

const STRIPE_KEY = 'sk_test_tollgate_console';
const ALIPAY_APP_ID = '2021000000000091';

/**
 * The Top-up screen in headless Chromium against the Stripe and Alipay doubles: Stripe.js is the
 * stand-in served at js.stripe.com (test/doubles/stripe/stripe-js.ts), webhooks are applied by the
 * outbox worker as in production, and what the screen shows comes from the gateway.
 */
describe('console Top-up screen', () => {
  let db: TestDatabase;
  let stripe: StripeDouble;
  let alipay: AlipayDouble;
  let t: TestApp;
  let browser: Browser;
  let owner: { apiKey: string; organizationId: string };
  const person = { email: 'payer@topup.test', password: 'correct horse battery staple' };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    db = await openTestDatabase('postgres');
    const secret = newWebhookSecret();
    stripe = await StripeDouble.start({ apiKeys: [STRIPE_KEY], webhookSecrets: [secret] });
    const appKeys = generateRsaKeyPair();
    alipay = await AlipayDouble.start({
      appId: ALIPAY_APP_ID,
      appPublicKeyPem: appKeys.publicKeyPem,
      notifyRetryDelaysMs: [10, 20, 40],
    });
    t = await startTestApp(db, {
      state: 'redis',
      env: {
        PAYMENT_PROVIDERS: 'stripe,alipay',
        TOP_UP_PROVIDERS: 'CNY=alipay+stripe,USD=stripe',
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_PUBLISHABLE_KEY: 'pk_test_console',
        STRIPE_WEBHOOK_SECRETS: secret,
        STRIPE_API_BASE: stripe.baseUrl,
        ALIPAY_APP_ID,
        ALIPAY_APP_PRIVATE_KEY: appKeys.privateKeyPem,
        ALIPAY_PUBLIC_KEY: alipay.keys.publicKeyPem,
        ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
        ALIPAY_NOTIFY_URL: 'https://tollgate.test/webhooks/alipay',
        ALIPAY_SELLER_ID: alipay.sellerId,
        ALIPAY_DEFAULT_PRESENTATION: 'qr_code',
        PAYMENT_RETURN_URL: 'http://127.0.0.1/return',
        OUTBOX_ENABLED: 'true',
        OUTBOX_POLL_INTERVAL_MS: '20',
      },
    });
    stripe.webhooks.url = `${t.url}/webhooks/stripe`;
    alipay.notifyUrlOverride = `${t.url}/webhooks/alipay`;
    (t.app.services.config as any).PUBLIC_BASE_URL = t.url;
    owner = await bootstrap(t.app.services, { org: 'Console Top-up', email: 'owner@topup.test' });
    // The person tops up signed in (session cookie), as an owner of the organization.
    await createPasswordUser(t.app.services.db, {
      ...person,
      organizationId: owner.organizationId,
      role: 'owner',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await alipay?.close();
    await stripe?.close();
    await db?.close();
  });

  async function openTopUp(opts: { locale?: 'en' | 'zh-CN' } = {}) {
    const context = await signedInContext(browser, t.url, person.email, person.password, opts);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await routeStripe(page, stripe);
    await page.goto(`${t.url}/console/top-up`);
    // The screen has loaded what it shows (balances, providers, history) before anyone types.
    await page.waitForLoadState('networkidle');
    return { context, page, problems };
  }

  async function walletBalanceNanos(currency: string): Promise<bigint> {
    const wallet = await t.app.services.db.wallet.findFirst({
      where: { organizationId: owner.organizationId, currency, ownerType: 'organization' },
    });
    return wallet?.balanceNanos ?? 0n;
  }

  it('tops up through the Stripe Payment Element: the wallet is credited and the payment is in the history', async () => {
    const { context, page, problems } = await openTopUp();
    await page.getByRole('heading', { level: 1, name: 'Top up' }).waitFor();
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByLabel('Amount').fill('20.00');
    await expect.poll(() => page.getByText('Pay with: Card or Alipay (Stripe)').count()).toBe(1);
    await page.getByRole('button', { name: 'Continue to payment' }).click();

    await page.getByTestId('payment-element').waitFor();
    const pay = page.getByRole('button', { name: 'Pay', exact: true });
    await expect.poll(() => pay.isEnabled()).toBe(true);
    expect(await page.evaluate(() => (window as any).__stripe.pk)).toBe('pk_test_console');
    await page.getByRole('heading', { name: 'Pay 20.00 USD' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'top-up');

    await pay.click();
    await page.getByText('Payment succeeded: 20.00 USD added to your wallet.').waitFor({ timeout: 15_000 });
    expect(await walletBalanceNanos('USD')).toBe(20_000_000_000n);

    const balances = page.getByRole('table', { name: 'Balances' });
    await expect.poll(() => balances.textContent()).toContain('20.0000 USD');
    const history = page.getByRole('table', { name: 'Top-ups of this organization, newest first' });
    await expect.poll(() => history.getByRole('row').nth(1).textContent()).toContain('Succeeded');
    expect(await history.getByRole('row').nth(1).textContent()).toContain('20.00 USD');

    // The customer's bank disputes it: the history shows the dispute once the gateway has it.
    const payment = await t.app.services.db.payment.findFirstOrThrow({
      where: { order: { organizationId: owner.organizationId }, currency: 'USD', status: 'succeeded' },
    });
    stripe.dispute(payment.providerTxnId!, 'fraudulent');
    await expect
      .poll(() => t.app.services.db.dispute.count({ where: { paymentId: payment.id } }), { timeout: 15_000 })
      .toBe(1);
    await page.reload();
    await expect.poll(() => history.getByRole('row').nth(1).textContent()).toContain('Open · fraudulent');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'payment-history');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a declined card and keeps Pay enabled to try again; nothing is credited', async () => {
    const before = await walletBalanceNanos('USD');
    const { context, page } = await openTopUp();
    await page.getByLabel('Amount').fill('7.50');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByTestId('payment-element').waitFor();
    await page.evaluate(() =>
      document.querySelector('#payment-element')!.setAttribute('data-card', 'pm_card_chargeDeclined'),
    );
    const pay = page.getByRole('button', { name: 'Pay', exact: true });
    await expect.poll(() => pay.isEnabled()).toBe(true);
    await pay.click();
    await page.getByText('Your card was declined.').waitFor();
    expect(await pay.isEnabled()).toBe(true);
    expect(await walletBalanceNanos('USD')).toBe(before);
    await context.close();
  });

  it('keeps Pay disabled and says what to do when Stripe.js cannot be loaded', async () => {
    const context = await signedInContext(browser, t.url, person.email, person.password);
    const page = await context.newPage();
    await routeStripe(page, stripe, { stripeJs: 'blocked' });
    await page.goto(`${t.url}/console/top-up`);
    await page.waitForLoadState('networkidle');
    await page.getByLabel('Amount').fill('5');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByText(/did not get Stripe\.js from js\.stripe\.com/).waitFor();
    expect(await page.getByText('Nothing has been charged', { exact: false }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Pay', exact: true }).isDisabled()).toBe(true);
    await context.close();
  });

  it('shows the gateway’s typed error for an amount below the provider minimum, and creates nothing', async () => {
    const { context, page } = await openTopUp();
    await page.getByLabel('Amount').fill('0.10');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('AMOUNT_TOO_SMALL');
    expect(await alert.textContent()).toMatch(/request \S+/);
    expect(await page.getByTestId('payment-element').count()).toBe(0);
    await context.close();
  });

  it('in Chinese: shows the direct Alipay QR code for CNY, and the wallet is credited once the buyer pays', async () => {
    const { context, page, problems } = await openTopUp({ locale: 'zh-CN' });
    await page.getByRole('heading', { level: 1, name: '充值' }).waitFor();
    await page.getByLabel('币种').selectOption('CNY');
    // CNY offers both, the operator's default (Alipay) first.
    const choice = page.getByRole('radio', { name: '支付宝', exact: true });
    await choice.waitFor();
    expect(await choice.isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: '银行卡或支付宝（Stripe）' }).isChecked()).toBe(false);
    await page.getByLabel('金额').fill('8.00');
    await page.getByRole('button', { name: '前往支付' }).click();

    const qr = page.getByRole('img', { name: '支付 8.00 CNY 的支付宝二维码' });
    await qr.waitFor();
    const box = await qr.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(await page.getByText('请使用支付宝 App 扫码支付').count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'top-up-alipay-zh-CN');

    const order = await t.app.services.db.order.findFirstOrThrow({
      where: { organizationId: owner.organizationId, currency: 'CNY' },
      orderBy: { createdAt: 'desc' },
    });
    alipay.buyerPays(order.id);
    await page.getByText('支付成功：8.00 CNY 已存入钱包。').waitFor({ timeout: 20_000 });
    expect(await walletBalanceNanos('CNY')).toBe(8_000_000_000n);
    expect(problems).toEqual([]);
    await context.close();
  });
});
