import { graphql } from '../../gql';

// The wallets the viewer may see (members: the organization's, their own and their teams').
export const OverviewWalletsDocument = graphql(`
  query OverviewWallets($organizationId: ID!) {
    wallets(organizationId: $organizationId, first: 50) {
      edges {
        node { ...WalletBalances }
      }
    }
  }
`);

export const BalanceChangedDocument = graphql(`
  subscription BalanceChanged($walletId: ID!) {
    balanceChanged(walletId: $walletId, current: true) {
      walletId
      reason
      balance { ...MoneyFields }
      available { ...MoneyFields }
      held { ...MoneyFields }
    }
  }
`);

// The caller's own plan and today's use of its daily limits (the gateway picks the subject).
export const TodayUsageDocument = graphql(`
  query OverviewToday($organizationId: ID!) {
    effectivePlan(organizationId: $organizationId) {
      plan { id name timeZone }
    }
    todayUsage(organizationId: $organizationId) {
      day
      resetsAt
      limits { metric model currency limit used remaining }
    }
  }
`);

export const LimitChangedDocument = graphql(`
  subscription OverviewLimitChanged($organizationId: ID!) {
    limitChanged(organizationId: $organizationId) {
      kind
      metric
      used
      limit
    }
  }
`);

export const SpendByDayDocument = graphql(`
  query OverviewSpend($organizationId: ID!, $from: DateTime!, $timeZone: String!) {
    usageAggregates(groupBy: DAY, timeZone: $timeZone, filter: { organizationId: $organizationId, from: $from }) {
      day
      requests
      cost { ...MoneyFields }
    }
  }
`);
