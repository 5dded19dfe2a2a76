import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Role } from '../../../src/identity/principal.ts';
import { createPasswordUser } from '../../../testkit/identity.ts';
import { signedInContext } from '../../helpers/console-session.ts';
import type { Gateway } from '../gateway/helpers.ts';

export interface ConsoleUser {
  email: string;
  userId: string;
}

/**
 * A person of the gateway's organization with a password and `role` (default owner), and a browser
 * context signed in as them (`signedInContext`).
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
  const context = await signedInContext(browser, g.t.url, email, password, {
    locale: opts.locale ?? 'en',
  });
  return { context, user };
}
