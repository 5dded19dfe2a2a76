import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, GraphQLServices, WebExchange } from '../context.ts';
import { authenticate, extractCredential } from '../identity/authenticate.ts';
import { sha256Hex } from '../identity/crypto.ts';
import type { Principal } from '../identity/principal.ts';
import {
  CSRF_HEADER,
  SESSION_COOKIE,
  cookiesSecure,
  parseCookies,
  sameOrigin,
  sessionCookies,
} from '../identity/sign-in/cookies.ts';
import { CsrfTokenInvalidError, SessionExpiredError } from '../identity/sign-in/errors.ts';
import { sameSecret } from '../identity/authenticate.ts';
import type { AppError } from '../lib/errors.ts';

/** Who calls, for Context: from the bearer credential, else from the session cookie. */
export type Caller = Pick<Context, 'principal' | 'credential' | 'sessionRejection' | 'web'>;

/**
 * The caller of one GraphQL request (HTTP or graphql-ws). A bearer credential (Authorization or
 * x-api-key) wins over a cookie: programs are never turned into sessions. A session cookie counts
 * only from our own origin (or none), and only with the CSRF token: the X-Tollgate-CSRF header over
 * HTTP, `connectionParams['x-tollgate-csrf']` over graphql-ws. A cookie that fails runs the request
 * as anonymous with `sessionRejection` set (key-scopes.ts refuses every field but sign-in's), and
 * an ended session's cookies are cleared.
 */
export async function resolveCaller(
  services: GraphQLServices,
  req: IncomingMessage | undefined,
  res: ServerResponse | undefined,
  headerOf: (name: string) => string | undefined,
): Promise<Caller> {
  const { config } = services;
  const limiter = services.authFailures;
  const source = limiter.sourceOf(req);
  const headers = req?.headers ?? {};
  const ownOrigin = sameOrigin(headers, config.PUBLIC_BASE_URL);
  const secureCookies = cookiesSecure(config.SESSION_COOKIE_SECURE, config.PUBLIC_BASE_URL, headers);
  const web: WebExchange | undefined = res
    ? {
        sameOrigin: ownOrigin,
        sourceAddress: source,
        secureCookies,
        setCookies: (lines) => {
          if (!res.headersSent) res.appendHeader('set-cookie', lines);
        },
      }
    : undefined;
  const credential = extractCredential({
    authorization: headerOf('authorization'),
    'x-api-key': headerOf('x-api-key'),
  });
  if (credential !== null) {
    const principal = await limiter.guard(source, credential, () => authenticate(services, credential));
    return {
      principal,
      web,
      credential: { hash: sha256Hex(credential), authenticate: () => authenticate(services, credential) },
    };
  }
  const token = parseCookies(headers.cookie).get(SESSION_COOKIE);
  // A page of another origin cannot use the cookie (its CORS grants never include credentials).
  if (!token || !ownOrigin) return { principal: null, web, credential: null };
  let rejection: AppError;
  try {
    const session = await limiter.guard(source, token, () => services.sessions.authenticate(token));
    const csrf = headerOf(CSRF_HEADER);
    if (csrf && sameSecret(sha256Hex(csrf), session.csrfHash)) {
      const again = async (): Promise<Principal> => (await services.sessions.authenticate(token)).principal;
      return {
        principal: session.principal,
        web,
        credential: { hash: session.tokenHash, authenticate: again, expiresAt: session.expiresAt },
      };
    }
    rejection = new CsrfTokenInvalidError();
  } catch (err) {
    if (!(err instanceof SessionExpiredError)) throw err;
    rejection = err;
    web?.setCookies(sessionCookies(null, { secure: secureCookies, maxAgeSeconds: 0 }));
  }
  return { principal: null, web, credential: null, sessionRejection: rejection };
}
