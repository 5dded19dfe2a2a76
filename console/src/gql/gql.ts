/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n": typeof types.UpdateApiKeyDocument,
    "\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n": typeof types.RotateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { amount currency unit }\n    }\n  }\n": typeof types.UsageByDayAndModelDocument,
    "\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n": typeof types.UsageModelsDocument,
    "\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n": typeof types.UsageKeysDocument,
    "\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { amount currency unit }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.UsageRecordsDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n": types.UpdateApiKeyDocument,
    "\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n": types.RotateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { amount currency unit }\n    }\n  }\n": types.UsageByDayAndModelDocument,
    "\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n": types.UsageModelsDocument,
    "\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n": types.UsageKeysDocument,
    "\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { amount currency unit }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.UsageRecordsDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n"): (typeof documents)["\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n"): (typeof documents)["\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { amount currency unit }\n    }\n  }\n"): (typeof documents)["\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { amount currency unit }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n"): (typeof documents)["\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n"): (typeof documents)["\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { amount currency unit }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { amount currency unit }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;