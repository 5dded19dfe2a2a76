import { timingSafeEqual, createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { ApiKeyService } from './api-keys.ts';
import type { Principal } from './principal.ts';

/** The bearer credential of a request: `Authorization: Bearer …`, or `x-api-key`. */
export function extractCredential(headers: {
  authorization?: string | undefined | null;
  'x-api-key'?: string | undefined | null;
}): string | null {
  const auth = headers.authorization?.trim();
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1]! : null;
  }
  const key = headers['x-api-key']?.trim();
  return key || null;
}

/** Constant-time comparison of two secrets of any lengths. */
export function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Resolves a credential to a principal: the platform admin token from configuration, or a Tollgate
 * API key. Returns null for no credential; throws UnauthenticatedError (INVALID_API_KEY,
 * API_KEY_REVOKED, API_KEY_EXPIRED) for a credential that is wrong, revoked or expired.
 */
export async function authenticate(
  services: { config: Pick<Config, 'TOLLGATE_ADMIN_TOKEN'>; apiKeys: Pick<ApiKeyService, 'authenticate'> },
  credential: string | null,
): Promise<Principal | null> {
  if (credential === null) return null;
  const adminToken = services.config.TOLLGATE_ADMIN_TOKEN;
  if (adminToken && sameSecret(credential, adminToken)) return { kind: 'platform_admin', userId: null };
  return services.apiKeys.authenticate(credential);
}
