import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

describe('console served by the gateway, in headless Chromium', () => {
  let db: TestDatabase;
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    db = await openTestDatabase('postgres');
    t = await startTestApp(db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await db?.close();
  });

  it('loads from /console with nothing from outside, under its Content-Security-Policy', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|UNAUTHENTICATED/.test(m.text())) problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(t.url)) outside.push(r.url());
    });
    const res = await page.goto(`${t.url}/console`);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${t.url}/console/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#root').filter({ hasText: /\S/ }).waitFor();
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'signed-out');
  });
});
