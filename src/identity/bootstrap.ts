import { API_SCOPES } from './principal.ts';
import type { IdentityAdminServices } from './access.ts';
import { createApiKey } from './api-key-admin.ts';
import { createOrganization } from './organizations.ts';

export interface BootstrapResult {
  organizationId: string;
  userId: string;
  apiKey: string;
}

/** First organization, its owner and an all-scope key, for `tollgate bootstrap`. */
export async function bootstrap(
  services: IdentityAdminServices,
  input: { org: string; email: string; name?: string | undefined },
): Promise<BootstrapResult> {
  const ctx = { services, principal: null };
  const slug = input.org
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  // One transaction: an organization without its key (or a key without its organization) is never left behind.
  return services.db.$transaction(async (tx) => {
    const { organization, ownerId } = await createOrganization(
      ctx,
      { name: input.org, slug, ownerEmail: input.email, ownerName: input.name ?? null },
      { system: true, tx },
    );
    const { secret } = await createApiKey(
      ctx,
      { organizationId: organization.id, userId: ownerId!, name: 'bootstrap', scopes: [...API_SCOPES] },
      { system: true, tx },
    );
    return { organizationId: organization.id, userId: ownerId!, apiKey: secret };
  });
}
