import { graphql } from '../../../gql';

export const PaymentsDocument = graphql(`
  query OperatorPayments($first: Int!, $after: String, $status: [PaymentStatus!], $organizationId: ID) {
    payments(first: $first, after: $after, status: $status, organizationId: $organizationId) {
      edges {
        node {
          id
          orderId
          walletId
          provider
          providerTxnId
          status
          underReview
          riskLevel
          createdAt
          succeededAt
          failureCode
          amount { ...MoneyFields }
          amountRefunded { ...MoneyFields }
          refunds {
            id
            status
            reason
            createdAt
            amount { ...MoneyFields }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ReleasePaymentReviewDocument = graphql(`
  mutation OperatorReleasePaymentReview($paymentId: ID!) {
    releasePaymentReview(paymentId: $paymentId) {
      id
      underReview
    }
  }
`);

export const RefundPaymentDocument = graphql(`
  mutation OperatorRefundPayment($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      id
      status
      amount { ...MoneyFields }
    }
  }
`);

export const DisputesDocument = graphql(`
  query OperatorDisputes($first: Int!, $after: String, $status: [DisputeStatus!], $organizationId: ID) {
    disputes(first: $first, after: $after, status: $status, organizationId: $organizationId) {
      edges {
        node {
          id
          providerDisputeId
          status
          reason
          createdAt
          updatedAt
          amount { ...MoneyFields }
          payment {
            id
            orderId
            provider
            amount { ...MoneyFields }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
