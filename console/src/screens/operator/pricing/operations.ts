import { graphql } from '../../../gql';

export const PriceRuleFields = graphql(`
  fragment OperatorPriceRule on PriceRule {
    id
    modelPattern
    matchType
    currency
    baseNanosPerToken
    inputMultiplierPpm
    outputMultiplierPpm
    cachedInputMultiplierPpm
    requestFeeNanos
    imageNanosPerUnit
    audioNanosPerSecond
    precedence
    effectiveFrom
    effectiveTo
    plan {
      id
      code
    }
  }
`);

export const PriceRulesDocument = graphql(`
  query OperatorPriceRules($currency: String, $modelPattern: String) {
    priceRules(currency: $currency, modelPattern: $modelPattern) {
      ...OperatorPriceRule
    }
    plans {
      id
      code
      name
    }
  }
`);

export const CreatePriceRuleDocument = graphql(`
  mutation OperatorCreatePriceRule($input: CreatePriceRuleInput!) {
    createPriceRule(input: $input) {
      ...OperatorPriceRule
    }
  }
`);

export const UpdatePriceRuleDocument = graphql(`
  mutation OperatorUpdatePriceRule($id: ID!, $input: UpdatePriceRuleInput!) {
    updatePriceRule(id: $id, input: $input) {
      ...OperatorPriceRule
    }
  }
`);

export const DeletePriceRuleDocument = graphql(`
  mutation OperatorDeletePriceRule($id: ID!) {
    deletePriceRule(id: $id)
  }
`);

export const SchedulePriceChangeDocument = graphql(`
  mutation OperatorSchedulePriceChange($id: ID!, $input: PriceChangeInput!) {
    schedulePriceChange(id: $id, input: $input) {
      ...OperatorPriceRule
    }
  }
`);

export const PriceQuoteDocument = graphql(`
  query OperatorPriceQuote(
    $model: String!
    $currency: String!
    $promptTokens: Int!
    $completionTokens: Int!
    $cachedTokens: Int
    $planId: ID
  ) {
    priceQuote(
      model: $model
      currency: $currency
      promptTokens: $promptTokens
      completionTokens: $completionTokens
      cachedTokens: $cachedTokens
      planId: $planId
    ) {
      costNanos
      currency
      model
      rule {
        id
        modelPattern
        precedence
        plan {
          code
        }
      }
    }
  }
`);
