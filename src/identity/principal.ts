/** Who is calling. Built once per request by the authenticator; never from client-supplied ids. */
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const API_SCOPES = ['inference', 'read', 'manage', 'billing'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export type Principal =
  | { kind: 'platform_admin'; userId: null }
  | {
      kind: 'api_key';
      apiKeyId: string;
      userId: string;
      organizationId: string;
      teamId: string | null;
      scopes: ApiScope[];
      role: Role;
      isPlatformAdmin: boolean;
      modelAllowlist: string[];
      /** The key's own spend caps (api_keys.budgetNanos/dailyCapNanos), cached with the key. */
      spendCaps?: { budgetNanos: bigint | null; budgetCurrency: string | null; dailyCapNanos: bigint | null };
    };

export function isPlatformAdmin(p: Principal | null): boolean {
  return p !== null && (p.kind === 'platform_admin' || p.isPlatformAdmin);
}

/** Roles ordered by power: a principal may act on a membership only up to its own rank. */
const ROLE_RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

export function isApiScope(v: string): v is ApiScope {
  return (API_SCOPES as readonly string[]).includes(v);
}

/**
 * Does the credential carry `scope`? The admin token carries every scope; an API key only its own,
 * also when its user is a platform admin (a key is bounded by its scopes, whoever holds it).
 */
export function hasScope(p: Principal | null, scope: ApiScope): boolean {
  if (p === null) return false;
  return p.kind === 'platform_admin' || p.scopes.includes(scope);
}
