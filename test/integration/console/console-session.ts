import type { Browser, BrowserContext } from 'playwright-core';
import type { Gateway } from '../gateway/helpers.ts';

/**
 * A browser context signed in to the console as the organization's owner. Until sign-in lands this
 * presents the owner's API key as a bearer on every request (the gateway treats it as that principal).
 */
export async function consoleContext(
  browser: Browser,
  g: Gateway,
  opts: { locale?: 'en' | 'zh-CN'; token?: string } = {},
): Promise<BrowserContext> {
  const locale = opts.locale ?? 'en';
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale,
    extraHTTPHeaders: { authorization: `Bearer ${opts.token ?? g.apiKey}` },
  });
  // The console keeps the chosen language in localStorage; set it before any page script runs.
  await context.addInitScript((l) => localStorage.setItem('tollgate.locale', l), locale);
  return context;
}
