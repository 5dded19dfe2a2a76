import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'tollgate_session';
export const CSRF_COOKIE = 'tollgate_csrf';
export const CSRF_HEADER = 'x-tollgate-csrf';

/** The request's cookies; a malformed pair is skipped, the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * The two Set-Cookie lines of a session: the token (HttpOnly, so page scripts never see it) and the
 * CSRF token (readable, so the console can echo it in X-Tollgate-CSRF). SameSite=Lax: a cross-site
 * POST carries neither. maxAgeSeconds 0 clears both.
 */
export function sessionCookies(
  session: { token: string; csrf: string } | null,
  opts: { secure: boolean; maxAgeSeconds: number },
): string[] {
  const attrs = `Path=/; SameSite=Lax; Max-Age=${session ? opts.maxAgeSeconds : 0}${opts.secure ? '; Secure' : ''}`;
  return [
    `${SESSION_COOKIE}=${session?.token ?? ''}; ${attrs}; HttpOnly`,
    `${CSRF_COOKIE}=${session?.csrf ?? ''}; ${attrs}`,
  ];
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

/**
 * SESSION_COOKIE_SECURE=auto: Secure, except when the gateway is reached over plain http on a
 * loopback host (development), where a Secure cookie would never come back. The origin is
 * PUBLIC_BASE_URL when set, else the request's Host.
 */
export function cookiesSecure(
  setting: 'auto' | 'true' | 'false',
  publicBaseUrl: string | undefined,
  headers: IncomingHttpHeaders,
): boolean {
  if (setting !== 'auto') return setting === 'true';
  if (publicBaseUrl) {
    const url = new URL(publicBaseUrl);
    return !(url.protocol === 'http:' && LOOPBACK.test(url.host));
  }
  return !LOOPBACK.test(headers.host ?? '');
}

/**
 * Is a browser request's Origin ours? Absent (a program, or a same-origin GET) counts as ours: the
 * cookie's SameSite and the CSRF header cover those. Ours: PUBLIC_BASE_URL's origin, or the host the
 * request was sent to (a page elsewhere cannot make a browser lie about either).
 */
export function sameOrigin(headers: IncomingHttpHeaders, publicBaseUrl: string | undefined): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (publicBaseUrl && origin === new URL(publicBaseUrl).origin) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
