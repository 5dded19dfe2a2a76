import { graphql } from '../../gql';

export const TopUpWalletsQuery = graphql(`
  query TopUpWallets {
    wallets(first: 20) {
      edges {
        node {
          id
          currency
          owner { type id }
          balance { ...MoneyFields }
          available { ...MoneyFields }
        }
      }
    }
  }
`);

export const TopUpProvidersQuery = graphql(`
  query TopUpProviders($currency: String!) {
    topUpProviders(currency: $currency)
  }
`);

export const CreateTopUpMutation = graphql(`
  mutation CreateTopUp($input: CreateTopUpInput!) {
    createTopUp(input: $input) {
      orderId
      walletId
      clientSecret
      publishableKey
      paymentPageUrl
      qrCode
      redirectUrl
      idempotencyHit
      payment {
        id
        provider
        status
        amount { ...MoneyFields }
      }
    }
  }
`);

/** Polled while a payment is open: the state the server knows (credited from the webhook, never the redirect). */
export const PaymentStatusQuery = graphql(`
  query TopUpPaymentStatus($id: ID!) {
    node(id: $id) {
      __typename
      ... on Payment {
        id
        status
        failureMessage
        amount { ...MoneyFields }
      }
    }
  }
`);

/**
 * Payments carry the refunds and disputes the history shows. 10 a page: each payment's lists count for
 * ten objects in the gateway's cost model, so a page costs about 450 of a caller's budget per minute.
 */
export const PaymentHistoryQuery = graphql(`
  query PaymentHistory($after: String) {
    payments(first: 10, after: $after) {
      edges {
        node {
          id
          createdAt
          provider
          status
          underReview
          failureMessage
          amount { ...MoneyFields }
          amountRefunded { ...MoneyFields }
          refunds {
            id
            status
            reason
            createdAt
            amount { ...MoneyFields }
          }
          disputes {
            id
            status
            reason
            amount { ...MoneyFields }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
