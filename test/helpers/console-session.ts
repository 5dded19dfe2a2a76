import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signInOverHttp } from './session.ts';

/** 1280×800, the size every console screen must be usable at. */
export const VIEWPORT = { width: 1280, height: 800 };

/** Signs in through the sign-in screen as a person would, and waits for the console behind it. */
export async function signInThroughScreen(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}

/**
 * A browser context holding a signed-in session: the cookies `signIn` answered (`cookie`, as
 * `signInOverHttp` returns it) — the httpOnly session cookie and the readable CSRF cookie the console
 * echoes in X-Tollgate-CSRF. `locale` is the browser's and is stored as the console's language before any
 * page script runs.
 */
export async function sessionContext(
  browser: Browser,
  baseUrl: string,
  cookie: string,
  opts: { locale?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    ...(opts.locale ? { locale: opts.locale } : {}),
  });
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      return {
        name,
        value: pair.slice(i + 1),
        url: baseUrl,
        httpOnly: name === 'tollgate_session',
        sameSite: 'Lax' as const,
      };
    }),
  );
  if (opts.locale)
    await context.addInitScript((l) => localStorage.setItem('tollgate.locale', l), opts.locale);
  return context;
}

/**
 * A browser context already signed in over HTTP (as the sign-in screen does), for tests about a screen
 * rather than about signing in.
 */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  email: string,
  password: string,
  opts: { locale?: string } = {},
): Promise<BrowserContext> {
  const { cookie } = await signInOverHttp(baseUrl, email, password);
  return sessionContext(browser, baseUrl, cookie, opts);
}
