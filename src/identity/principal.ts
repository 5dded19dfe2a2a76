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
    };

export function isPlatformAdmin(p: Principal | null): boolean {
  return p !== null && (p.kind === 'platform_admin' || p.isPlatformAdmin);
}
