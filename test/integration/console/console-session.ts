import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Role } from '../../../src/identity/principal.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { signInOverHttp } from '../../helpers/session.ts';
import type { Gateway } from '../gateway/helpers.ts';

export interface ConsoleUser {
  email: string;
  userId: string;
}

/**
 * A person of the gateway's organization with a password and `role` (default owner), signed in over
 * HTTP as the sign-in screen does; the returned browser context holds that session's cookies (the
 * httpOnly session cookie and the readable CSRF cookie the console echoes in X-Tollgate-CSRF).
 */
export async function consoleContext(
  browser: Browser,
  g: Gateway,
  opts: { locale?: 'en' | 'zh-CN'; role?: Role } = {},
): Promise<{ context: BrowserContext; user: ConsoleUser }> {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const email = `${opts.role ?? 'owner'}-${randomBytes(4).toString('hex')}@console.test`;
  const { userId } = await createPasswordUser(g.t.app.services.db, {
    email,
    password,
    organizationId: g.organizationId,
    role: opts.role ?? 'owner',
  });
  const user = { email, userId };
  const { cookie } = await signInOverHttp(g.t.url, user.email, password);
  const locale = opts.locale ?? 'en';
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      return {
        name,
        value: pair.slice(at + 1),
        url: g.t.url,
        httpOnly: name === 'tollgate_session',
        sameSite: 'Lax' as const,
      };
    }),
  );
  // The console keeps the chosen language in localStorage; set it before any page script runs.
  await context.addInitScript((l) => localStorage.setItem('tollgate.locale', l), locale);
  return { context, user };
}
