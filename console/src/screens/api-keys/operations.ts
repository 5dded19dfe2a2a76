import { graphql } from '../../gql';

export const ApiKeyFieldsFragment = graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    name
    prefix
    scopes
    modelAllowlist
    budgetNanos
    budgetCurrency
    dailyCapNanos
    rpmLimit
    tpmLimit
    expiresAt
    revokedAt
    graceUntil
    lastUsedAt
    createdAt
    user { id email }
  }
`);

export const ApiKeysDocument = graphql(`
  query ApiKeys($after: String, $includeRevoked: Boolean) {
    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {
      edges { node { ...ApiKeyFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey { ...ApiKeyFields }
    }
  }
`);

export const UpdateApiKeyDocument = graphql(`
  mutation UpdateApiKey($input: UpdateApiKeyInput!) {
    updateApiKey(input: $input) { ...ApiKeyFields }
  }
`);

export const RotateApiKeyDocument = graphql(`
  mutation RotateApiKey($id: ID!) {
    rotateApiKey(id: $id) {
      secret
      apiKey { ...ApiKeyFields }
      previous { ...ApiKeyFields }
    }
  }
`);

export const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { ...ApiKeyFields }
  }
`);
