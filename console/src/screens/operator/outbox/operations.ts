import { graphql } from '../../../gql';

export const OutboxDeliveriesDocument = graphql(`
  query OperatorOutboxDeliveries($first: Int!, $after: String, $status: [OutboxStatus!], $topic: String) {
    outboxDeliveries(first: $first, after: $after, status: $status, topic: $topic) {
      edges {
        node {
          id
          topic
          status
          attempts
          createdAt
          nextAttemptAt
          deliveredAt
          lastError
          requestId
          orderingKey
          payload
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ReplayDeliveryDocument = graphql(`
  mutation OperatorReplayDelivery($id: ID!) {
    replayDelivery(id: $id) {
      id
      status
      attempts
      nextAttemptAt
    }
  }
`);
