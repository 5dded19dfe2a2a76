import { graphql } from '../../../gql';

export const LedgerConsistencyDocument = graphql(`
  query OperatorLedgerConsistency {
    ledgerConsistency {
      ok
      walletsChecked
      transactionsChecked
      walletMismatches {
        walletId
        currency
        balanceNanos
        entriesSumNanos
        heldNanos
        activeHoldsSumNanos
        accountBalanceNanos
      }
      accountMismatches {
        accountId
        balanceNanos
        entriesSumNanos
      }
      unbalancedTransactions {
        transactionId
        currency
        sumNanos
      }
    }
  }
`);

export const LiteLLMDriftDocument = graphql(`
  query OperatorLiteLLMDrift {
    litellmDrift {
      entityType
      entityId
      direction
      driftUsd
      litellmSpendUsd
      tollgateUsageNanos
    }
  }
`);

export const ResyncLiteLLMBudgetsDocument = graphql(`
  mutation OperatorResyncLiteLLMBudgets($walletId: ID) {
    resyncLiteLLMBudgets(walletId: $walletId)
  }
`);

export const LagoReconciliationDocument = graphql(`
  query OperatorLagoReconciliation($from: DateTime!, $to: DateTime!, $samplePerDay: Int) {
    lagoReconciliation(from: $from, to: $to, samplePerDay: $samplePerDay) {
      from
      to
      differenceCount
      rows {
        day
        externalCustomerId
        usageRecords
        usageDelivered
        usageChecked
        usageConfirmed
        topUps
        topUpsConfirmed
        refunds
        refundsConfirmed
        costNanos
        totalTokens
        differences {
          kind
          reference
          detail
        }
      }
    }
  }
`);
