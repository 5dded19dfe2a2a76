import { graphql } from '../../../gql';

export const RiskSettingsDocument = graphql(`
  query OperatorRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {
    riskSettings(scopeType: $scopeType, scopeId: $scopeId) {
      scopeType
      scopeId
      settings
    }
  }
`);

export const SetRiskSettingsDocument = graphql(`
  mutation OperatorSetRiskSettings($scopeType: RiskScopeType!, $scopeId: String, $settings: JSON!) {
    setRiskSettings(scopeType: $scopeType, scopeId: $scopeId, settings: $settings) {
      scopeType
      scopeId
      settings
    }
  }
`);

export const DeleteRiskSettingsDocument = graphql(`
  mutation OperatorDeleteRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {
    deleteRiskSettings(scopeType: $scopeType, scopeId: $scopeId)
  }
`);

export const EffectiveRiskSettingsDocument = graphql(`
  query OperatorEffectiveRiskSettings($organizationId: ID!, $userId: String, $apiKeyId: String) {
    effectiveRiskSettings(organizationId: $organizationId, userId: $userId, apiKeyId: $apiKeyId)
  }
`);
