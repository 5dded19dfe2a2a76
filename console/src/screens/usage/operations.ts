import { graphql } from '../../gql';

export const UsageByDayAndModelDocument = graphql(`
  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {
    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {
      day
      model
      requests
      failedRequests
      promptTokens
      completionTokens
      cachedTokens
      cost { ...MoneyFields }
    }
  }
`);

/** The models the caller has used at all: the log's model filter offers them. */
export const UsageModelsDocument = graphql(`
  query UsageModels {
    usageAggregates(groupBy: MODEL) { model }
  }
`);

/** Revoked keys too: old log rows name them. */
export const UsageKeysDocument = graphql(`
  query UsageKeys {
    apiKeys(first: 100, includeRevoked: true) {
      edges { node { id name prefix } }
    }
  }
`);

export const UsageRecordsDocument = graphql(`
  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {
    usageRecords(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          id
          requestId
          createdAt
          apiKeyId
          modelRequested
          modelServed
          promptTokens
          completionTokens
          cachedTokens
          cost { ...MoneyFields }
          status
          httpStatus
          latencyMs
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
