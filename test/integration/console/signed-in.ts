import type { Browser, BrowserContext } from 'playwright-core';
import { signInOverHttp } from '../../helpers/session.ts';

/**
 * A browser context signed in as a person: signs in over HTTP (as the sign-in screen does) and puts the
 * session and CSRF cookies it answered into the context, so the console authenticates by cookie and
 * sends X-Tollgate-CSRF like any signed-in browser. `locale` is stored before the console loads.
 */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  user: { email: string; password: string },
  locale: 'en' | 'zh-CN' = 'en',
): Promise<BrowserContext> {
  const { cookie } = await signInOverHttp(baseUrl, user.email, user.password);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      return { name, value: pair.slice(i + 1), url: baseUrl, httpOnly: name === 'tollgate_session' };
    }),
  );
  await context.addInitScript((l) => localStorage.setItem('tollgate.locale', l), locale);
  return context;
}
