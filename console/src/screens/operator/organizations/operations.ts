import { graphql } from '../../../gql';

export const OrganizationsDocument = graphql(`
  query OperatorOrganizations($first: Int!, $after: String) {
    organizations(first: $first, after: $after) {
      edges {
        node {
          id
          name
          slug
          status
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const OrganizationDetailDocument = graphql(`
  query OperatorOrganizationDetail($id: ID!) {
    organization(id: $id) {
      id
      name
      slug
      status
      createdAt
      memberships(first: 25) {
        edges {
          node {
            id
            role
            user {
              id
              email
              name
            }
          }
        }
        pageInfo {
          hasNextPage
        }
      }
    }
    wallets(organizationId: $id, first: 10) {
      edges {
        node {
          id
          currency
          status
          owner {
            id
            type
          }
          balance {
            amount
            currency
            unit
          }
          available {
            amount
            currency
            unit
          }
          held {
            amount
            currency
            unit
          }
          entries(first: 5) {
            edges {
              node {
                id
                createdAt
                reason
                description
                amount {
                  amount
                  currency
                  unit
                }
              }
            }
          }
        }
      }
    }
    apiKeys(organizationId: $id, first: 50) {
      edges {
        node {
          id
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    planAssignments(organizationId: $id) {
      id
      subjectType
      subjectId
      effectiveFrom
      effectiveTo
      assignedBy
      plan {
        id
        code
        name
      }
    }
  }
`);

export const GrantCreditsDocument = graphql(`
  mutation OperatorGrantCredits($input: GrantCreditsInput!) {
    grantCredits(input: $input) {
      transactionId
      idempotencyHit
      balanceAfter {
        amount
        currency
        unit
      }
    }
  }
`);

export const AdjustWalletDocument = graphql(`
  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {
    adjustWallet(input: $input) {
      transactionId
      idempotencyHit
      balanceAfter {
        amount
        currency
        unit
      }
    }
  }
`);
