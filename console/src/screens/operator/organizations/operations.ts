import { graphql } from '../../../gql';

export const OrganizationsDocument = graphql(`
  query OperatorOrganizations($first: Int!, $after: String) {
    organizations(first: $first, after: $after) {
      edges {
        node {
          ...OrganizationFields
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
      ...OrganizationFields
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
          ...WalletBalances
          entries(first: 5) {
            edges {
              node {
                id
                createdAt
                reason
                description
                amount { ...MoneyFields }
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
      ...PlanAssignmentFields
    }
  }
`);

export const GrantCreditsDocument = graphql(`
  mutation OperatorGrantCredits($input: GrantCreditsInput!) {
    grantCredits(input: $input) {
      ...WalletPostingFields
    }
  }
`);

export const AdjustWalletDocument = graphql(`
  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {
    adjustWallet(input: $input) {
      ...WalletPostingFields
    }
  }
`);
