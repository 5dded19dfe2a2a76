import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureConsoleBuilt,
  launchChromium,
  saveScreenshot,
  seriousA11yViolations,
} from '../../helpers/console-browser.ts';
import { type Gateway, MODEL, startGateway } from '../gateway/helpers.ts';
import { type ConsoleUser, consoleContext } from './console-session.ts';

async function modelsStatus(g: Gateway, secret: string): Promise<number> {
  const res = await fetch(`${g.t.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  await res.body?.cancel();
  return res.status;
}

/** Playwright-style patience: the page answers after a GraphQL round trip, slower on a busy machine. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

describe('console API keys screen, in headless Chromium', () => {
  let g: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ownerEmail: string;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    g = await startGateway();
    browser = await launchChromium();
    let user: ConsoleUser;
    ({ context, user } = await consoleContext(browser, g));
    ownerEmail = user.email;
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  const keysTable = () => page.getByRole('table', { name: 'API keys of the organization' });
  const rowOf = (name: string) => keysTable().getByRole('row').filter({ hasText: name });

  it('creates a key whose secret is shown once, works on /v1 and is gone after a reload', async () => {
    await page.goto(`${g.t.url}/console/keys`);
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await rowOf('bootstrap').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'api-keys');

    await page.getByRole('button', { name: 'Create key' }).click();
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill('ci-bot');
    await form.getByLabel(/^Model allowlist/).fill(`${MODEL}, gpt-4o`);
    await form.getByLabel(/^Budget/).fill('5');
    await form.getByLabel(/^Daily cap/).fill('1.50');
    await form.getByLabel(/^Requests per minute/).fill('60');
    await form.getByRole('button', { name: 'Save' }).click();

    const panel = page.getByRole('region', { name: 'Your new key “ci-bot”' });
    await panel.waitFor();
    await poll(() => panel.textContent()).toContain('you will not see it again');
    const secret = await panel.getByLabel('Secret API key').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await saveScreenshot(page, 'api-key-created');

    const row = rowOf('ci-bot');
    await poll(() => row.textContent()).toContain('5.00 USD');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('1.50 USD');
    expect(text).toContain('60 rpm');
    expect(text).toContain(`${MODEL}, gpt-4o`);
    expect(text).toContain('INFERENCE');
    // Created by the signed-in person's session: the key is theirs.
    expect(text).toContain(ownerEmail);
    expect(text).not.toContain(secret);

    expect(await modelsStatus(g, secret)).toBe(200);

    await page.reload();
    await rowOf('ci-bot').waitFor();
    expect(await page.getByRole('region', { name: /Your new key/ }).count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it('edits a key’s limits and clears one with an empty field', async () => {
    await page.goto(`${g.t.url}/console/keys`);
    await page.getByRole('button', { name: 'Edit ci-bot' }).click();
    const form = page.getByRole('form', { name: 'Edit key ci-bot' });
    expect(await form.getByLabel(/^Budget/).inputValue()).toBe('5');
    expect(await form.getByLabel(/^Daily cap/).inputValue()).toBe('1.5');
    await form.getByLabel(/^Requests per minute/).fill('120');
    await form.getByLabel(/^Daily cap/).fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “ci-bot”.' }).waitFor();
    const row = rowOf('ci-bot');
    await poll(() => row.textContent()).toContain('120 rpm');

    const res = await g.t.gql('{ apiKeys { edges { node { name rpmLimit dailyCapNanos budgetNanos } } } }');
    const key = res.data.apiKeys.edges.map((e: any) => e.node).find((k: any) => k.name === 'ci-bot');
    expect(key).toEqual({ name: 'ci-bot', rpmLimit: 120, dailyCapNanos: null, budgetNanos: '5000000000' });
  });

  it('shows the gateway’s typed error when the input is refused, and changes nothing', async () => {
    await page.goto(`${g.t.url}/console/keys`);
    await page.getByRole('button', { name: 'Create key' }).click();
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill('bad-currency');
    await form.getByLabel(/^Budget/).fill('1');
    await form.getByLabel('Currency').fill('ZZ');
    await form.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /VALIDATION_FAILED|currency/i });
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('VALIDATION_FAILED');
    expect(await page.getByRole('region', { name: /Your new key/ }).count()).toBe(0);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await poll(() => page.getByRole('alert').count()).toBe(0);
    expect(await rowOf('bad-currency').count()).toBe(0);
  });

  it('rotates a key: a new secret once, and the old one works until its grace period ends', async () => {
    const oldSecret = await g.createKey({ name: 'rotating', scopes: ['INFERENCE'] });
    await page.goto(`${g.t.url}/console/keys`);
    await page.getByRole('button', { name: 'Rotate rotating' }).click();
    const panel = page.getByRole('region', { name: 'Your new key “rotating”' });
    await panel.waitFor();
    const newSecret = await panel.getByLabel('Secret API key').inputValue();
    expect(newSecret).not.toBe(oldSecret);
    expect(await panel.textContent()).toMatch(/The previous key “[^”]+” keeps working until/);
    expect(await modelsStatus(g, newSecret)).toBe(200);
    expect(await modelsStatus(g, oldSecret)).toBe(200);
    // Both keys are listed: the old one with its grace period, the new one active.
    await poll(() => rowOf('rotating').count()).toBe(2);
    const states = (await rowOf('rotating').allTextContents()).map((r) =>
      /Rotated: works until/.test(r) ? 'grace' : /Active/.test(r) ? 'active' : r,
    );
    expect(states.sort()).toEqual(['active', 'grace']);
    await panel.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByRole('region', { name: /Your new key/ }).count()).toBe(0);
  });

  it('revokes a key after confirmation, and the gateway refuses it from then on', async () => {
    const secret = await g.createKey({ name: 'to-revoke', scopes: ['INFERENCE'] });
    expect(await modelsStatus(g, secret)).toBe(200);
    await page.goto(`${g.t.url}/console/keys`);
    await page.getByRole('button', { name: 'Revoke to-revoke' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Revoke “to-revoke”?' });
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await modelsStatus(g, secret)).toBe(200);

    await page.getByRole('button', { name: 'Revoke to-revoke' }).click();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('status').filter({ hasText: 'Revoked “to-revoke”.' }).waitFor();
    await poll(() => modelsStatus(g, secret)).toBe(401);
    await poll(() => rowOf('to-revoke').count()).toBe(0);

    await page.getByLabel('Show revoked keys').check();
    await poll(() => rowOf('to-revoke').textContent()).toMatch(/Revoked/);
  });

  it('shows a member only their own keys and no actions a member’s session cannot take, as the API decides', async () => {
    const { context: member, user } = await consoleContext(browser, g, { role: 'member' });
    const key = await g.t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
      i: { name: 'member-own', scopes: ['INFERENCE'], userId: user.userId, organizationId: g.organizationId },
    });
    expect(key.errors).toBeUndefined();
    const p = await member.newPage();
    await p.goto(`${g.t.url}/console/keys`);
    const table = p.getByRole('table', { name: 'API keys of the organization' });
    await table.getByRole('row').filter({ hasText: 'member-own' }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    // A member's session has the read scope only (docs/security.md#sessions): nothing to create or change.
    expect(await p.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await table.getByRole('button').count()).toBe(0);
    expect(await table.getByRole('columnheader', { name: 'Name / Owner' }).count()).toBe(0);
    await member.close();
  });

  it('reads in Simplified Chinese with no serious accessibility violation', async () => {
    const { context: zh } = await consoleContext(browser, g, { locale: 'zh-CN' });
    const p = await zh.newPage();
    await p.goto(`${g.t.url}/console/keys`);
    await p.getByRole('heading', { name: 'API 密钥', level: 1 }).waitFor();
    await p
      .getByRole('table', { name: '组织的 API 密钥' })
      .getByRole('row')
      .filter({ hasText: 'bootstrap' })
      .waitFor();
    await p.getByRole('button', { name: '创建密钥' }).click();
    await p.getByRole('form', { name: '新密钥' }).waitFor();
    expect(await seriousA11yViolations(p)).toEqual([]);
    await saveScreenshot(p, 'api-keys-zh-CN');
    await zh.close();
  });
});
