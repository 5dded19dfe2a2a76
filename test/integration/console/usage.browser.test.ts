import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits } from '../../../console/src/ui/money.ts';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { type Gateway, MODEL, startGateway } from '../gateway/helpers.ts';
import { consoleContext } from './console-session.ts';

interface Record {
  requestId: string;
  apiKeyId: string;
  modelRequested: string;
  cost: { amount: string };
}

/** Playwright-style patience: the page answers after a GraphQL round trip, slower on a busy machine. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

describe('console usage screen, in headless Chromium', () => {
  let g: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let records: Record[];

  const ask = (key: string, model: string) =>
    g
      .client(key)
      .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    g = await startGateway();
    await g.fund(10_000_000_000n);
    // Seeded through the real proxy in front of the LiteLLM data-plane double: usage is what the gateway
    // recorded for these requests, not rows written by the test.
    const alpha = await g.createKey({ name: 'alpha', scopes: ['INFERENCE'] });
    const beta = await g.createKey({ name: 'beta', scopes: ['INFERENCE'] });
    await ask(alpha, MODEL);
    await ask(alpha, MODEL);
    await ask(alpha, 'o3');
    await ask(beta, MODEL);
    await ask(beta, 'gpt-4o');
    g.upstream.next({ kind: 'status', status: 500 });
    await ask(beta, MODEL).catch(() => {});
    // Enough of the owner's own requests for a second page of the log (25 a page).
    for (let i = 0; i < 22; i++) await ask(g.apiKey, MODEL);
    await g.settled();
    const res = await g.t.gql(
      '{ usageRecords(first: 100) { edges { node { requestId apiKeyId modelRequested cost { amount } } } } }',
    );
    records = res.data.usageRecords.edges.map((e: any) => e.node);
    expect(records).toHaveLength(28);
    browser = await launchChromium();
    ({ context } = await consoleContext(browser, g));
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  const log = () => page.getByRole('table', { name: 'Proxied requests, newest first' });
  const logRows = () => log().locator('tbody tr');
  const keyId = (name: string) =>
    g.t.app.services.db.apiKey.findFirstOrThrow({ where: { name } }).then((k) => k.id);

  it('charts usage per day and model and totals each model exactly', async () => {
    await page.goto(`${g.t.url}/console/usage`);
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    const models = page.getByRole('table', { name: 'Usage per model, last 30 days' });
    const row = (m: string) =>
      models.getByRole('row').filter({ has: page.getByRole('cell', { name: m, exact: true }) });
    await row(MODEL).waitFor();
    // gpt-4o-mini: 2 (alpha) + 1 (beta) + 22 (owner) billed, 1 failed.
    const cells = await row(MODEL).getByRole('cell').allTextContents();
    expect(cells.slice(0, 3)).toEqual([MODEL, '25', '1']);
    const miniCost = records
      .filter((r) => r.modelRequested === MODEL)
      .reduce((sum, r) => sum + BigInt(r.cost.amount), 0n);
    expect(cells[5]).toBe(`${formatUnits(miniCost.toString(), 9, 9)} USD`);
    expect((await row('o3').getByRole('cell').allTextContents()).slice(0, 2)).toEqual(['o3', '1']);
    await page
      .getByRole('img', { name: 'Requests per day and model, last 30 days' })
      .locator('svg')
      .waitFor();
    await page.getByRole('img', { name: 'Requests per model, last 30 days' }).locator('svg').waitFor();

    await page.getByLabel('Last 7 days').check();
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Cost' });
    await page.getByRole('img', { name: 'Cost per day and model, last 7 days' }).waitFor();
    await page.getByRole('table', { name: 'Usage per model, last 7 days' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'usage');
  });

  it('filters the log by key and model and pages through it by cursor', async () => {
    await page.goto(`${g.t.url}/console/usage`);
    await poll(() => logRows().count()).toBe(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await poll(() => logRows().count()).toBe(3);
    expect(await page.getByText('Page 2').count()).toBe(1);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await poll(() => logRows().count()).toBe(25);

    const alphaId = await keyId('alpha');
    await page
      .getByLabel('API key', { exact: true })
      .selectOption({ label: (await optionLabel('alpha')) ?? '' });
    await poll(() => logRows().count()).toBe(3);
    const alphaIds = records.filter((r) => r.apiKeyId === alphaId).map((r) => r.requestId);
    expect(await log().locator('tbody code').allTextContents()).toEqual(alphaIds);
    for (const text of await logRows().allTextContents()) expect(text).toContain('alpha');

    await page.getByLabel('Model', { exact: true }).selectOption(MODEL);
    await poll(() => logRows().count()).toBe(2);
    for (const text of await logRows().allTextContents()) expect(text).toContain(MODEL);

    await page
      .getByLabel('API key', { exact: true })
      .selectOption({ label: (await optionLabel('beta')) ?? '' });
    // Still two rows (alpha's were two as well): wait for beta's to replace them.
    await poll(async () =>
      (await logRows().allTextContents()).map((t) => (/beta/.test(t) ? 'beta' : t)),
    ).toEqual(['beta', 'beta']);
    expect((await logRows().allTextContents()).some((t) => /Failed \(500\)/.test(t))).toBe(true);

    // A day range that ends before today shows nothing.
    await page.getByLabel('To (inclusive)').fill('2020-01-01');
    await poll(() => log().getByText('No requests match these filters.').count()).toBe(1);
  });

  async function optionLabel(name: string): Promise<string | null> {
    const options = await page.getByLabel('API key', { exact: true }).locator('option').allTextContents();
    return options.find((o) => o.startsWith(`${name} (`)) ?? null;
  }

  it('exports the filtered log as CSV with exact costs', async () => {
    await page.goto(`${g.t.url}/console/usage`);
    await page.getByLabel('API key', { exact: true }).locator('option').nth(2).waitFor({ state: 'attached' });
    await page
      .getByLabel('API key', { exact: true })
      .selectOption({ label: (await optionLabel('alpha')) ?? '' });
    await poll(() => logRows().count()).toBe(3);
    expect(await page.getByText('Exports the filtered log, at most 10,000 rows.').count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^usage-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await readFile((await download.path()) as string, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(
      'request_id,time,api_key_id,api_key_name,model_requested,model_served,prompt_tokens,completion_tokens,cached_tokens,cost,currency,status,http_status,latency_ms',
    );
    const alphaId = await keyId('alpha');
    const expected = records.filter((r) => r.apiKeyId === alphaId);
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    expect(rows.map((r) => r[0])).toEqual(expected.map((r) => r.requestId));
    for (const [i, r] of rows.entries()) {
      expect(r[2]).toBe(alphaId);
      expect(r[3]).toBe('alpha');
      expect(r[4]).toBe(expected[i]?.modelRequested);
      // Nine decimals, from the exact nano amount.
      const nanos = BigInt(expected[i]?.cost.amount ?? '0');
      expect(r[9]).toBe(`${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`);
      expect(r[10]).toBe('USD');
      expect(r[11]).toBe('SUCCEEDED');
    }
    await page.getByRole('status').filter({ hasText: 'Exported 3 rows.' }).waitFor();
  });

  it('reads in Simplified Chinese with no serious accessibility violation', async () => {
    const { context: zh } = await consoleContext(browser, g, { locale: 'zh-CN' });
    const p = await zh.newPage();
    await p.goto(`${g.t.url}/console/usage`);
    await p.getByRole('heading', { name: '用量', level: 1 }).waitFor();
    await p.getByRole('table', { name: '代理请求，最新在前' }).locator('tbody tr').nth(24).waitFor();
    expect(await p.getByRole('button', { name: '导出 CSV' }).count()).toBe(1);
    expect(await seriousA11yViolations(p)).toEqual([]);
    await saveScreenshot(p, 'usage-zh-CN');
    await zh.close();
  });

  it('shows a member only their own requests, as the API decides', async () => {
    const { context: member, user } = await consoleContext(browser, g, { role: 'member' });
    const key = await g.t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
      i: { name: 'member-key', scopes: ['INFERENCE'], userId: user.userId, organizationId: g.organizationId },
    });
    expect(key.errors).toBeUndefined();
    await ask(key.data.createApiKey.secret, MODEL);
    await g.settled();
    const p = await member.newPage();
    await p.goto(`${g.t.url}/console/usage`);
    const rows = p.getByRole('table', { name: 'Proxied requests, newest first' }).locator('tbody tr');
    await poll(async () => (await rows.allTextContents()).map((t) => /member-key/.test(t))).toEqual([true]);
    const models = p.getByRole('table', { name: 'Usage per model, last 30 days' });
    await poll(() => models.locator('tbody tr').allTextContents()).toHaveLength(1);
    expect(
      (await models.locator('tbody tr').first().getByRole('cell').allTextContents()).slice(0, 2),
    ).toEqual([MODEL, '1']);
    await member.close();
  });
});
