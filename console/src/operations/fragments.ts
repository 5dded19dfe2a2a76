import { graphql } from '../gql';

// Selections several screens ask for the same way. Spread them by name (`...MoneyFields`): the client
// preset adds the fragment to every document that spreads it, so a screen needs no import of this file.

export const MoneyFields = graphql(`
  fragment MoneyFields on Money {
    amount
    currency
    unit
  }
`);

export const WalletBalances = graphql(`
  fragment WalletBalances on Wallet {
    id
    currency
    status
    owner { id type }
    balance { ...MoneyFields }
    available { ...MoneyFields }
    held { ...MoneyFields }
  }
`);

export const WalletPostingFields = graphql(`
  fragment WalletPostingFields on WalletPostingPayload {
    transactionId
    idempotencyHit
    balanceAfter { ...MoneyFields }
  }
`);

export const OrganizationFields = graphql(`
  fragment OrganizationFields on Organization {
    id
    name
    slug
    status
    createdAt
  }
`);

export const PlanAssignmentFields = graphql(`
  fragment PlanAssignmentFields on PlanAssignment {
    id
    subjectType
    subjectId
    effectiveFrom
    effectiveTo
    assignedBy
    plan { id code name }
  }
`);
