import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { AlipayDouble } from '../../doubles/alipay/server.ts';
import { generateRsaKeyPair } from '../../doubles/alipay/signing.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const CHROMIUM = '/usr/bin/chromium';
const APP_ID = '2021000000000078';
const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

/**
 * The hosted top-up page for a direct Alipay payment in headless Chromium: the QR code drawn by the
 * gateway (nothing fetched from another origin), the buyer pays, the notification is applied by the
 * outbox worker, and the page lands on the status page; a phone is sent to Alipay's mobile cashier.
 */
describe('hosted top-up page with direct Alipay in headless Chromium', () => {
  let db: TestDatabase;
  let double: AlipayDouble;
  let t: TestApp;
  let browser: Browser;
  let key: string;

  beforeAll(async () => {
    const appKeys = generateRsaKeyPair();
    db = await openTestDatabase('postgres');
    double = await AlipayDouble.start({
      appId: APP_ID,
      appPublicKeyPem: appKeys.publicKeyPem,
      notifyRetryDelaysMs: [10, 20, 40],
    });
    t = await startTestApp(db, {
      env: {
        PAYMENT_PROVIDERS: 'alipay',
        DEFAULT_CURRENCY: 'CNY',
        ALIPAY_APP_ID: APP_ID,
        ALIPAY_APP_PRIVATE_KEY: appKeys.privateKeyPem,
        ALIPAY_PUBLIC_KEY: double.keys.publicKeyPem,
        ALIPAY_GATEWAY_URL: double.gatewayUrl,
        ALIPAY_NOTIFY_URL: 'https://tollgate.test/webhooks/alipay',
        ALIPAY_SELLER_ID: double.sellerId,
        PAYMENT_RETURN_URL: 'http://127.0.0.1/pay/return',
        // Notifications are applied by the outbox worker, as in production: the page polls until it has.
        OUTBOX_ENABLED: 'true',
        OUTBOX_POLL_INTERVAL_MS: '20',
      },
    });
    double.notifyUrlOverride = `${t.url}/webhooks/alipay`;
    // The page links are built from PUBLIC_BASE_URL: point it at the test server.
    (t.app.services.config as any).PUBLIC_BASE_URL = t.url;
    key = (await bootstrap(t.app.services, { org: 'Alipay Page', email: 'page@alipay.test' })).apiKey;
    mkdirSync('.tmp', { recursive: true });
    // scripts/test.sh installs Debian's chromium; without it this suite must fail, not skip.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await double?.close();
    await db?.close();
  });

  async function startTopUp(idempotencyKey: string, presentation?: string, userAgent?: string) {
    const res = await t.gql(
      `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
        orderId walletId paymentPageUrl qrCode redirectUrl } }`,
      { input: { currency: 'CNY', amount: '800', idempotencyKey, provider: 'alipay', presentation } },
      { token: key, ...(userAgent ? { headers: { 'user-agent': userAgent } } : {}) },
    );
    expect(res.errors).toBeUndefined();
    return res.data.createTopUp as {
      orderId: string;
      walletId: string;
      paymentPageUrl: string;
      qrCode: string | null;
      redirectUrl: string | null;
    };
  }

  it('shows the QR code drawn by the gateway, and lands on the status page once the buyer has paid', async () => {
    const top = await startTopUp('alipay-page-qr', 'QR_CODE');
    const page = await browser.newPage();
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await page.goto(top.paymentPageUrl);

    const qr = page.locator('#qr svg');
    await qr.waitFor({ state: 'visible' });
    const box = await qr.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(100);
    expect(await page.textContent('#amount')).toBe('8.00 CNY');
    // The drawn modules are those of the trade's qr_code, not of anything else.
    const expected = await QRCode.toString(top.qrCode!, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    const drawn = await qr.evaluate((svg) => svg.querySelector('path[stroke]')?.getAttribute('d'));
    expect(drawn).toBeTruthy();
    expect(expected).toContain(`d="${drawn}"`);
    expect(await page.isVisible('#payment-form')).toBe(false);
    await page.screenshot({ path: '.tmp/alipay-top-up-qr.png' });

    double.buyerPays(top.orderId);
    await page.waitForURL(/\/return$/, { timeout: 20_000 });
    await expect
      .poll(() => page.textContent('#status'), { timeout: 10_000 })
      .toContain('Payment succeeded: 8.00 CNY');
    await page.screenshot({ path: '.tmp/alipay-top-up-return.png' });
    // Nothing but the gateway itself: no CDN, no js.stripe.com.
    expect([...origins]).toEqual([t.url]);
    const wallet = await t.app.services.db.wallet.findUniqueOrThrow({ where: { id: top.walletId } });
    expect(wallet.balanceNanos).toBe(800n * 10_000_000n);
    await page.close();
  });

  it("sends a phone to Alipay's mobile cashier", async () => {
    const top = await startTopUp('alipay-page-wap', undefined, IPHONE_UA);
    expect(new URL(top.redirectUrl!).searchParams.get('method')).toBe('alipay.trade.wap.pay');
    const context = await browser.newContext({ userAgent: IPHONE_UA });
    const page = await context.newPage();
    const cashier = new URL(double.gatewayUrl);
    await page.route(`${cashier.origin}/**`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Alipay cashier</title>' }),
    );
    await page.goto(top.paymentPageUrl);
    await page.waitForURL((u) => u.origin === cashier.origin);
    expect(new URL(page.url()).searchParams.get('method')).toBe('alipay.trade.wap.pay');
    expect(new URL(page.url()).searchParams.get('sign')).toBeTruthy();
    await context.close();
  });
});
