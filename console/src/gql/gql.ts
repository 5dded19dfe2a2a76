/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          slug\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.OperatorOrganizationsDocument,
    "\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      slug\n      status\n      createdAt\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 20) {\n      edges {\n        node {\n          id\n          currency\n          status\n          owner {\n            id\n            type\n          }\n          balance {\n            amount\n            currency\n            unit\n          }\n          available {\n            amount\n            currency\n            unit\n          }\n          held {\n            amount\n            currency\n            unit\n          }\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount {\n                  amount\n                  currency\n                  unit\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n": typeof types.OperatorOrganizationDetailDocument,
    "\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n": typeof types.OperatorGrantCreditsDocument,
    "\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n": typeof types.OperatorAdjustWalletDocument,
    "\n  fragment OperatorPlan on Plan {\n    id\n    code\n    name\n    description\n    kind\n    status\n    visibility\n    overflowPolicy\n    timeZone\n    usageCurrency\n    warnThresholds\n    graceNanos\n    gracePercent\n    degradeMap\n    grantedOrganizationIds\n    dailyLimits {\n      id\n      metric\n      currency\n      model\n      limitValue\n    }\n  }\n": typeof types.OperatorPlanFragmentDoc,
    "\n  query OperatorPlans($status: PlanStatus) {\n    plans(status: $status) {\n      ...OperatorPlan\n    }\n    organizations(first: 200) {\n      edges {\n        node {\n          id\n          name\n          slug\n        }\n      }\n    }\n  }\n": typeof types.OperatorPlansDocument,
    "\n  mutation OperatorCreatePlan($input: CreatePlanInput!) {\n    createPlan(input: $input) {\n      ...OperatorPlan\n    }\n  }\n": typeof types.OperatorCreatePlanDocument,
    "\n  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {\n    updatePlan(id: $id, input: $input) {\n      ...OperatorPlan\n    }\n  }\n": typeof types.OperatorUpdatePlanDocument,
    "\n  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {\n    grantPlan(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": typeof types.OperatorGrantPlanDocument,
    "\n  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {\n    revokePlanGrant(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": typeof types.OperatorRevokePlanGrantDocument,
    "\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n": typeof types.OperatorPlanAssignmentsDocument,
    "\n  mutation OperatorAssignPlan($input: AssignPlanInput!) {\n    assignPlan(input: $input) {\n      id\n    }\n  }\n": typeof types.OperatorAssignPlanDocument,
    "\n  mutation OperatorUpdatePlanAssignment($id: ID!, $effectiveFrom: DateTime, $effectiveTo: DateTime) {\n    updatePlanAssignment(id: $id, effectiveFrom: $effectiveFrom, effectiveTo: $effectiveTo) {\n      id\n      effectiveTo\n    }\n  }\n": typeof types.OperatorUpdatePlanAssignmentDocument,
    "\n  mutation OperatorDeletePlanAssignment($id: ID!) {\n    deletePlanAssignment(id: $id)\n  }\n": typeof types.OperatorDeletePlanAssignmentDocument,
    "\n  fragment OperatorPriceRule on PriceRule {\n    id\n    modelPattern\n    matchType\n    currency\n    baseNanosPerToken\n    inputMultiplierPpm\n    outputMultiplierPpm\n    cachedInputMultiplierPpm\n    requestFeeNanos\n    imageNanosPerUnit\n    audioNanosPerSecond\n    precedence\n    effectiveFrom\n    effectiveTo\n    plan {\n      id\n      code\n    }\n  }\n": typeof types.OperatorPriceRuleFragmentDoc,
    "\n  query OperatorPriceRules($currency: String, $modelPattern: String) {\n    priceRules(currency: $currency, modelPattern: $modelPattern) {\n      ...OperatorPriceRule\n    }\n    plans {\n      id\n      code\n      name\n    }\n  }\n": typeof types.OperatorPriceRulesDocument,
    "\n  mutation OperatorCreatePriceRule($input: CreatePriceRuleInput!) {\n    createPriceRule(input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n": typeof types.OperatorCreatePriceRuleDocument,
    "\n  mutation OperatorUpdatePriceRule($id: ID!, $input: UpdatePriceRuleInput!) {\n    updatePriceRule(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n": typeof types.OperatorUpdatePriceRuleDocument,
    "\n  mutation OperatorDeletePriceRule($id: ID!) {\n    deletePriceRule(id: $id)\n  }\n": typeof types.OperatorDeletePriceRuleDocument,
    "\n  mutation OperatorSchedulePriceChange($id: ID!, $input: PriceChangeInput!) {\n    schedulePriceChange(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n": typeof types.OperatorSchedulePriceChangeDocument,
    "\n  query OperatorPriceQuote(\n    $model: String!\n    $currency: String!\n    $promptTokens: Int!\n    $completionTokens: Int!\n    $cachedTokens: Int\n    $planId: ID\n  ) {\n    priceQuote(\n      model: $model\n      currency: $currency\n      promptTokens: $promptTokens\n      completionTokens: $completionTokens\n      cachedTokens: $cachedTokens\n      planId: $planId\n    ) {\n      costNanos\n      currency\n      model\n      rule {\n        id\n        modelPattern\n        precedence\n        plan {\n          code\n        }\n      }\n    }\n  }\n": typeof types.OperatorPriceQuoteDocument,
    "\n  query OperatorRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    riskSettings(scopeType: $scopeType, scopeId: $scopeId) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n": typeof types.OperatorRiskSettingsDocument,
    "\n  mutation OperatorSetRiskSettings($scopeType: RiskScopeType!, $scopeId: String, $settings: JSON!) {\n    setRiskSettings(scopeType: $scopeType, scopeId: $scopeId, settings: $settings) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n": typeof types.OperatorSetRiskSettingsDocument,
    "\n  mutation OperatorDeleteRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    deleteRiskSettings(scopeType: $scopeType, scopeId: $scopeId)\n  }\n": typeof types.OperatorDeleteRiskSettingsDocument,
    "\n  query OperatorEffectiveRiskSettings($organizationId: ID!, $userId: String, $apiKeyId: String) {\n    effectiveRiskSettings(organizationId: $organizationId, userId: $userId, apiKeyId: $apiKeyId)\n  }\n": typeof types.OperatorEffectiveRiskSettingsDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          slug\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.OperatorOrganizationsDocument,
    "\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      slug\n      status\n      createdAt\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 20) {\n      edges {\n        node {\n          id\n          currency\n          status\n          owner {\n            id\n            type\n          }\n          balance {\n            amount\n            currency\n            unit\n          }\n          available {\n            amount\n            currency\n            unit\n          }\n          held {\n            amount\n            currency\n            unit\n          }\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount {\n                  amount\n                  currency\n                  unit\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n": types.OperatorOrganizationDetailDocument,
    "\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n": types.OperatorGrantCreditsDocument,
    "\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n": types.OperatorAdjustWalletDocument,
    "\n  fragment OperatorPlan on Plan {\n    id\n    code\n    name\n    description\n    kind\n    status\n    visibility\n    overflowPolicy\n    timeZone\n    usageCurrency\n    warnThresholds\n    graceNanos\n    gracePercent\n    degradeMap\n    grantedOrganizationIds\n    dailyLimits {\n      id\n      metric\n      currency\n      model\n      limitValue\n    }\n  }\n": types.OperatorPlanFragmentDoc,
    "\n  query OperatorPlans($status: PlanStatus) {\n    plans(status: $status) {\n      ...OperatorPlan\n    }\n    organizations(first: 200) {\n      edges {\n        node {\n          id\n          name\n          slug\n        }\n      }\n    }\n  }\n": types.OperatorPlansDocument,
    "\n  mutation OperatorCreatePlan($input: CreatePlanInput!) {\n    createPlan(input: $input) {\n      ...OperatorPlan\n    }\n  }\n": types.OperatorCreatePlanDocument,
    "\n  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {\n    updatePlan(id: $id, input: $input) {\n      ...OperatorPlan\n    }\n  }\n": types.OperatorUpdatePlanDocument,
    "\n  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {\n    grantPlan(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": types.OperatorGrantPlanDocument,
    "\n  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {\n    revokePlanGrant(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": types.OperatorRevokePlanGrantDocument,
    "\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n": types.OperatorPlanAssignmentsDocument,
    "\n  mutation OperatorAssignPlan($input: AssignPlanInput!) {\n    assignPlan(input: $input) {\n      id\n    }\n  }\n": types.OperatorAssignPlanDocument,
    "\n  mutation OperatorUpdatePlanAssignment($id: ID!, $effectiveFrom: DateTime, $effectiveTo: DateTime) {\n    updatePlanAssignment(id: $id, effectiveFrom: $effectiveFrom, effectiveTo: $effectiveTo) {\n      id\n      effectiveTo\n    }\n  }\n": types.OperatorUpdatePlanAssignmentDocument,
    "\n  mutation OperatorDeletePlanAssignment($id: ID!) {\n    deletePlanAssignment(id: $id)\n  }\n": types.OperatorDeletePlanAssignmentDocument,
    "\n  fragment OperatorPriceRule on PriceRule {\n    id\n    modelPattern\n    matchType\n    currency\n    baseNanosPerToken\n    inputMultiplierPpm\n    outputMultiplierPpm\n    cachedInputMultiplierPpm\n    requestFeeNanos\n    imageNanosPerUnit\n    audioNanosPerSecond\n    precedence\n    effectiveFrom\n    effectiveTo\n    plan {\n      id\n      code\n    }\n  }\n": types.OperatorPriceRuleFragmentDoc,
    "\n  query OperatorPriceRules($currency: String, $modelPattern: String) {\n    priceRules(currency: $currency, modelPattern: $modelPattern) {\n      ...OperatorPriceRule\n    }\n    plans {\n      id\n      code\n      name\n    }\n  }\n": types.OperatorPriceRulesDocument,
    "\n  mutation OperatorCreatePriceRule($input: CreatePriceRuleInput!) {\n    createPriceRule(input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n": types.OperatorCreatePriceRuleDocument,
    "\n  mutation OperatorUpdatePriceRule($id: ID!, $input: UpdatePriceRuleInput!) {\n    updatePriceRule(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n": types.OperatorUpdatePriceRuleDocument,
    "\n  mutation OperatorDeletePriceRule($id: ID!) {\n    deletePriceRule(id: $id)\n  }\n": types.OperatorDeletePriceRuleDocument,
    "\n  mutation OperatorSchedulePriceChange($id: ID!, $input: PriceChangeInput!) {\n    schedulePriceChange(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n": types.OperatorSchedulePriceChangeDocument,
    "\n  query OperatorPriceQuote(\n    $model: String!\n    $currency: String!\n    $promptTokens: Int!\n    $completionTokens: Int!\n    $cachedTokens: Int\n    $planId: ID\n  ) {\n    priceQuote(\n      model: $model\n      currency: $currency\n      promptTokens: $promptTokens\n      completionTokens: $completionTokens\n      cachedTokens: $cachedTokens\n      planId: $planId\n    ) {\n      costNanos\n      currency\n      model\n      rule {\n        id\n        modelPattern\n        precedence\n        plan {\n          code\n        }\n      }\n    }\n  }\n": types.OperatorPriceQuoteDocument,
    "\n  query OperatorRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    riskSettings(scopeType: $scopeType, scopeId: $scopeId) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n": types.OperatorRiskSettingsDocument,
    "\n  mutation OperatorSetRiskSettings($scopeType: RiskScopeType!, $scopeId: String, $settings: JSON!) {\n    setRiskSettings(scopeType: $scopeType, scopeId: $scopeId, settings: $settings) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n": types.OperatorSetRiskSettingsDocument,
    "\n  mutation OperatorDeleteRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    deleteRiskSettings(scopeType: $scopeType, scopeId: $scopeId)\n  }\n": types.OperatorDeleteRiskSettingsDocument,
    "\n  query OperatorEffectiveRiskSettings($organizationId: ID!, $userId: String, $apiKeyId: String) {\n    effectiveRiskSettings(organizationId: $organizationId, userId: $userId, apiKeyId: $apiKeyId)\n  }\n": types.OperatorEffectiveRiskSettingsDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          slug\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          slug\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      slug\n      status\n      createdAt\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 20) {\n      edges {\n        node {\n          id\n          currency\n          status\n          owner {\n            id\n            type\n          }\n          balance {\n            amount\n            currency\n            unit\n          }\n          available {\n            amount\n            currency\n            unit\n          }\n          held {\n            amount\n            currency\n            unit\n          }\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount {\n                  amount\n                  currency\n                  unit\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      slug\n      status\n      createdAt\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 20) {\n      edges {\n        node {\n          id\n          currency\n          status\n          owner {\n            id\n            type\n          }\n          balance {\n            amount\n            currency\n            unit\n          }\n          available {\n            amount\n            currency\n            unit\n          }\n          held {\n            amount\n            currency\n            unit\n          }\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount {\n                  amount\n                  currency\n                  unit\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      transactionId\n      idempotencyHit\n      balanceAfter {\n        amount\n        currency\n        unit\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OperatorPlan on Plan {\n    id\n    code\n    name\n    description\n    kind\n    status\n    visibility\n    overflowPolicy\n    timeZone\n    usageCurrency\n    warnThresholds\n    graceNanos\n    gracePercent\n    degradeMap\n    grantedOrganizationIds\n    dailyLimits {\n      id\n      metric\n      currency\n      model\n      limitValue\n    }\n  }\n"): (typeof documents)["\n  fragment OperatorPlan on Plan {\n    id\n    code\n    name\n    description\n    kind\n    status\n    visibility\n    overflowPolicy\n    timeZone\n    usageCurrency\n    warnThresholds\n    graceNanos\n    gracePercent\n    degradeMap\n    grantedOrganizationIds\n    dailyLimits {\n      id\n      metric\n      currency\n      model\n      limitValue\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorPlans($status: PlanStatus) {\n    plans(status: $status) {\n      ...OperatorPlan\n    }\n    organizations(first: 200) {\n      edges {\n        node {\n          id\n          name\n          slug\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorPlans($status: PlanStatus) {\n    plans(status: $status) {\n      ...OperatorPlan\n    }\n    organizations(first: 200) {\n      edges {\n        node {\n          id\n          name\n          slug\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorCreatePlan($input: CreatePlanInput!) {\n    createPlan(input: $input) {\n      ...OperatorPlan\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorCreatePlan($input: CreatePlanInput!) {\n    createPlan(input: $input) {\n      ...OperatorPlan\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {\n    updatePlan(id: $id, input: $input) {\n      ...OperatorPlan\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {\n    updatePlan(id: $id, input: $input) {\n      ...OperatorPlan\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {\n    grantPlan(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {\n    grantPlan(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {\n    revokePlanGrant(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {\n    revokePlanGrant(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      id\n      subjectType\n      subjectId\n      effectiveFrom\n      effectiveTo\n      assignedBy\n      plan {\n        id\n        code\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorAssignPlan($input: AssignPlanInput!) {\n    assignPlan(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorAssignPlan($input: AssignPlanInput!) {\n    assignPlan(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorUpdatePlanAssignment($id: ID!, $effectiveFrom: DateTime, $effectiveTo: DateTime) {\n    updatePlanAssignment(id: $id, effectiveFrom: $effectiveFrom, effectiveTo: $effectiveTo) {\n      id\n      effectiveTo\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorUpdatePlanAssignment($id: ID!, $effectiveFrom: DateTime, $effectiveTo: DateTime) {\n    updatePlanAssignment(id: $id, effectiveFrom: $effectiveFrom, effectiveTo: $effectiveTo) {\n      id\n      effectiveTo\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorDeletePlanAssignment($id: ID!) {\n    deletePlanAssignment(id: $id)\n  }\n"): (typeof documents)["\n  mutation OperatorDeletePlanAssignment($id: ID!) {\n    deletePlanAssignment(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OperatorPriceRule on PriceRule {\n    id\n    modelPattern\n    matchType\n    currency\n    baseNanosPerToken\n    inputMultiplierPpm\n    outputMultiplierPpm\n    cachedInputMultiplierPpm\n    requestFeeNanos\n    imageNanosPerUnit\n    audioNanosPerSecond\n    precedence\n    effectiveFrom\n    effectiveTo\n    plan {\n      id\n      code\n    }\n  }\n"): (typeof documents)["\n  fragment OperatorPriceRule on PriceRule {\n    id\n    modelPattern\n    matchType\n    currency\n    baseNanosPerToken\n    inputMultiplierPpm\n    outputMultiplierPpm\n    cachedInputMultiplierPpm\n    requestFeeNanos\n    imageNanosPerUnit\n    audioNanosPerSecond\n    precedence\n    effectiveFrom\n    effectiveTo\n    plan {\n      id\n      code\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorPriceRules($currency: String, $modelPattern: String) {\n    priceRules(currency: $currency, modelPattern: $modelPattern) {\n      ...OperatorPriceRule\n    }\n    plans {\n      id\n      code\n      name\n    }\n  }\n"): (typeof documents)["\n  query OperatorPriceRules($currency: String, $modelPattern: String) {\n    priceRules(currency: $currency, modelPattern: $modelPattern) {\n      ...OperatorPriceRule\n    }\n    plans {\n      id\n      code\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorCreatePriceRule($input: CreatePriceRuleInput!) {\n    createPriceRule(input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorCreatePriceRule($input: CreatePriceRuleInput!) {\n    createPriceRule(input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorUpdatePriceRule($id: ID!, $input: UpdatePriceRuleInput!) {\n    updatePriceRule(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorUpdatePriceRule($id: ID!, $input: UpdatePriceRuleInput!) {\n    updatePriceRule(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorDeletePriceRule($id: ID!) {\n    deletePriceRule(id: $id)\n  }\n"): (typeof documents)["\n  mutation OperatorDeletePriceRule($id: ID!) {\n    deletePriceRule(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorSchedulePriceChange($id: ID!, $input: PriceChangeInput!) {\n    schedulePriceChange(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorSchedulePriceChange($id: ID!, $input: PriceChangeInput!) {\n    schedulePriceChange(id: $id, input: $input) {\n      ...OperatorPriceRule\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorPriceQuote(\n    $model: String!\n    $currency: String!\n    $promptTokens: Int!\n    $completionTokens: Int!\n    $cachedTokens: Int\n    $planId: ID\n  ) {\n    priceQuote(\n      model: $model\n      currency: $currency\n      promptTokens: $promptTokens\n      completionTokens: $completionTokens\n      cachedTokens: $cachedTokens\n      planId: $planId\n    ) {\n      costNanos\n      currency\n      model\n      rule {\n        id\n        modelPattern\n        precedence\n        plan {\n          code\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorPriceQuote(\n    $model: String!\n    $currency: String!\n    $promptTokens: Int!\n    $completionTokens: Int!\n    $cachedTokens: Int\n    $planId: ID\n  ) {\n    priceQuote(\n      model: $model\n      currency: $currency\n      promptTokens: $promptTokens\n      completionTokens: $completionTokens\n      cachedTokens: $cachedTokens\n      planId: $planId\n    ) {\n      costNanos\n      currency\n      model\n      rule {\n        id\n        modelPattern\n        precedence\n        plan {\n          code\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    riskSettings(scopeType: $scopeType, scopeId: $scopeId) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n"): (typeof documents)["\n  query OperatorRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    riskSettings(scopeType: $scopeType, scopeId: $scopeId) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorSetRiskSettings($scopeType: RiskScopeType!, $scopeId: String, $settings: JSON!) {\n    setRiskSettings(scopeType: $scopeType, scopeId: $scopeId, settings: $settings) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorSetRiskSettings($scopeType: RiskScopeType!, $scopeId: String, $settings: JSON!) {\n    setRiskSettings(scopeType: $scopeType, scopeId: $scopeId, settings: $settings) {\n      scopeType\n      scopeId\n      settings\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorDeleteRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    deleteRiskSettings(scopeType: $scopeType, scopeId: $scopeId)\n  }\n"): (typeof documents)["\n  mutation OperatorDeleteRiskSettings($scopeType: RiskScopeType!, $scopeId: String) {\n    deleteRiskSettings(scopeType: $scopeType, scopeId: $scopeId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorEffectiveRiskSettings($organizationId: ID!, $userId: String, $apiKeyId: String) {\n    effectiveRiskSettings(organizationId: $organizationId, userId: $userId, apiKeyId: $apiKeyId)\n  }\n"): (typeof documents)["\n  query OperatorEffectiveRiskSettings($organizationId: ID!, $userId: String, $apiKeyId: String) {\n    effectiveRiskSettings(organizationId: $organizationId, userId: $userId, apiKeyId: $apiKeyId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      kind\n      role\n      scopes\n      apiKeyId\n      user { id email name }\n      organization { id name }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;