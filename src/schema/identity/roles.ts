import { API_SCOPES, ROLES } from '../../identity/principal.ts';
import { screamingEnum } from '../enums.ts';

export const OrganizationRole = screamingEnum('OrganizationRole', ROLES, {
  description: 'A user’s role in an organization (platform admin is a user flag, not a role).',
});

export const ApiScopeEnum = screamingEnum('ApiScope', API_SCOPES, {
  description:
    'What an API key may do: INFERENCE (proxy), READ (queries), MANAGE (identity), BILLING (money).',
});
