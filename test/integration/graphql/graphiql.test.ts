import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

/** GraphiQL on /graphql comes entirely from the gateway: it works offline (no unpkg, no CDN). */
describe('GraphiQL', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    t = await startTestApp(db, { env: { GRAPHIQL: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('answers a browser GET with HTML that references nothing but its own origin', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('renderYogaGraphiQL');
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    const foreign = refs.filter((r) => /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(r));
    expect(foreign).toEqual([]);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr|esm\.sh/);
  });

  describe('in headless Chromium with every other origin unreachable', () => {
    let browser: Browser;
    beforeAll(async () => {
      // scripts/test.sh installs Debian's chromium; without it this suite must fail, not skip.
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    });
    afterAll(async () => browser?.close());

    it('renders the editor and runs a query', async () => {
      const page = await browser.newPage();
      const offOrigin: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(t.url) || url.startsWith('data:') || url.startsWith('blob:'))
          return route.continue();
        offOrigin.push(url);
        return route.abort('internetdisconnected');
      });
      await page.goto(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
      await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
      await page.locator('.graphiql-execute-button').click();
      // Monaco renders spaces as no-break spaces: \s matches both.
      await page.waitForFunction(
        () => /"__typename":\s*"Query"/.test(document.body.textContent ?? ''),
        null,
        {
          timeout: 30_000,
        },
      );
      expect(offOrigin).toEqual([]);
      await page.close();
    });
  });
});
