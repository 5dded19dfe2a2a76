/** Who is calling. Built once per request by the authenticator; never from client-supplied ids. */
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const API_SCOPES = ['inference', 'read', 'manage', 'billing'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export type Principal =
  | { kind: 'platform_admin'; userId: null }
  | SessionPrincipal
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

/**
 * A signed-in person (a browser with the session cookie). It acts with its user's role in the
 * organization it selected, never more: scopes come from that role (sessionScopes), never
 * `inference` (no /v1 with a cookie). No organization selected: no role and no scopes, so it
 * reaches only the fields every caller may (`keyScope: 'none'`: viewer, health) and sign-in's own.
 * A platform-admin user's session has the operator's powers (docs/security.md#sessions).
 */
export interface SessionPrincipal {
  kind: 'session';
  sessionId: string;
  /** Always null: shares the API key's shape so code reading `apiKeyId`/`teamId` of a member needs no branch. */
  apiKeyId: null;
  teamId: null;
  userId: string;
  organizationId: string | null;
  role: Role | null;
  scopes: ApiScope[];
  isPlatformAdmin: boolean;
}

/** A caller that acts inside one organization with a role: an API key, or a session that selected one. */
export type MemberPrincipal =
  | Extract<Principal, { kind: 'api_key' }>
  | (SessionPrincipal & { organizationId: string; role: Role });

/**
 * Is `p` a member of an organization (an API key, or a session with an organization selected)?
 * Code that restricts members and lets everyone else through relies on the others being the admin
 * token, platform-admin users, or sessions without an organization, which have no scope at all.
 */
export function isMember(p: Principal | null): p is MemberPrincipal {
  return (
    p !== null &&
    (p.kind === 'api_key' || (p.kind === 'session' && p.organizationId !== null && p.role !== null))
  );
}

/** What a session's role lets it do: members read; admins and owners also manage and pay. */
export function sessionScopes(role: Role | null, platformAdmin: boolean): ApiScope[] {
  if (platformAdmin || role === 'owner' || role === 'admin') return ['read', 'manage', 'billing'];
  return role === 'member' ? ['read'] : [];
}

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
