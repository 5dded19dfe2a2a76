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
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n    unit\n  }\n": typeof types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletBalances on Wallet {\n    id\n    currency\n    status\n    owner { id type }\n    balance { ...MoneyFields }\n    available { ...MoneyFields }\n    held { ...MoneyFields }\n  }\n": typeof types.WalletBalancesFragmentDoc,
    "\n  fragment WalletPostingFields on WalletPostingPayload {\n    transactionId\n    idempotencyHit\n    balanceAfter { ...MoneyFields }\n  }\n": typeof types.WalletPostingFieldsFragmentDoc,
    "\n  fragment OrganizationFields on Organization {\n    id\n    name\n    slug\n    status\n    createdAt\n  }\n": typeof types.OrganizationFieldsFragmentDoc,
    "\n  fragment PlanAssignmentFields on PlanAssignment {\n    id\n    subjectType\n    subjectId\n    effectiveFrom\n    effectiveTo\n    assignedBy\n    plan { id code name }\n  }\n": typeof types.PlanAssignmentFieldsFragmentDoc,
    "\n  query Sessions {\n    sessions { id createdAt lastSeenAt expiresAt userAgent current }\n  }\n": typeof types.SessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation StartTotpEnrollment {\n    startTotpEnrollment { secret qrCode otpauthUrl }\n  }\n": typeof types.StartTotpEnrollmentDocument,
    "\n  mutation ConfirmTotpEnrollment($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n": typeof types.ConfirmTotpEnrollmentDocument,
    "\n  mutation DisableTotp($code: String!) {\n    disableTotp(code: $code)\n  }\n": typeof types.DisableTotpDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n": typeof types.UpdateApiKeyDocument,
    "\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n": typeof types.RotateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query OperatorLedgerConsistency {\n    ledgerConsistency {\n      ok\n      walletsChecked\n      transactionsChecked\n      walletMismatches {\n        walletId\n        currency\n        balanceNanos\n        entriesSumNanos\n        heldNanos\n        activeHoldsSumNanos\n        accountBalanceNanos\n      }\n      accountMismatches {\n        accountId\n        balanceNanos\n        entriesSumNanos\n      }\n      unbalancedTransactions {\n        transactionId\n        currency\n        sumNanos\n      }\n    }\n  }\n": typeof types.OperatorLedgerConsistencyDocument,
    "\n  query OperatorLiteLLMDrift {\n    litellmDrift {\n      entityType\n      entityId\n      direction\n      driftUsd\n      litellmSpendUsd\n      tollgateUsageNanos\n    }\n  }\n": typeof types.OperatorLiteLlmDriftDocument,
    "\n  mutation OperatorResyncLiteLLMBudgets($walletId: ID) {\n    resyncLiteLLMBudgets(walletId: $walletId)\n  }\n": typeof types.OperatorResyncLiteLlmBudgetsDocument,
    "\n  query OperatorLagoReconciliation($from: DateTime!, $to: DateTime!, $samplePerDay: Int) {\n    lagoReconciliation(from: $from, to: $to, samplePerDay: $samplePerDay) {\n      from\n      to\n      differenceCount\n      rows {\n        day\n        externalCustomerId\n        usageRecords\n        usageDelivered\n        usageChecked\n        usageConfirmed\n        topUps\n        topUpsConfirmed\n        refunds\n        refundsConfirmed\n        costNanos\n        totalTokens\n        differences {\n          kind\n          reference\n          detail\n        }\n      }\n    }\n  }\n": typeof types.OperatorLagoReconciliationDocument,
    "\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          ...OrganizationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.OperatorOrganizationsDocument,
    "\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      ...OrganizationFields\n      memberships(first: 25) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 10) {\n      edges {\n        node {\n          ...WalletBalances\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount { ...MoneyFields }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 50) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      ...PlanAssignmentFields\n    }\n  }\n": typeof types.OperatorOrganizationDetailDocument,
    "\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n": typeof types.OperatorGrantCreditsDocument,
    "\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n": typeof types.OperatorAdjustWalletDocument,
    "\n  query OperatorOutboxDeliveries($first: Int!, $after: String, $status: [OutboxStatus!], $topic: String) {\n    outboxDeliveries(first: $first, after: $after, status: $status, topic: $topic) {\n      edges {\n        node {\n          id\n          topic\n          status\n          attempts\n          createdAt\n          nextAttemptAt\n          deliveredAt\n          lastError\n          requestId\n          orderingKey\n          payload\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.OperatorOutboxDeliveriesDocument,
    "\n  mutation OperatorReplayDelivery($id: ID!) {\n    replayDelivery(id: $id) {\n      id\n      status\n      attempts\n      nextAttemptAt\n    }\n  }\n": typeof types.OperatorReplayDeliveryDocument,
    "\n  query OperatorPayments($first: Int!, $after: String, $status: [PaymentStatus!], $organizationId: ID) {\n    payments(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          orderId\n          walletId\n          provider\n          providerTxnId\n          status\n          underReview\n          riskLevel\n          createdAt\n          succeededAt\n          failureCode\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.OperatorPaymentsDocument,
    "\n  mutation OperatorReleasePaymentReview($paymentId: ID!) {\n    releasePaymentReview(paymentId: $paymentId) {\n      id\n      underReview\n    }\n  }\n": typeof types.OperatorReleasePaymentReviewDocument,
    "\n  mutation OperatorRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      id\n      status\n      amount { ...MoneyFields }\n    }\n  }\n": typeof types.OperatorRefundPaymentDocument,
    "\n  query OperatorDisputes($first: Int!, $after: String, $status: [DisputeStatus!], $organizationId: ID) {\n    disputes(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          providerDisputeId\n          status\n          reason\n          createdAt\n          updatedAt\n          amount { ...MoneyFields }\n          payment {\n            id\n            orderId\n            provider\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.OperatorDisputesDocument,
    "\n  fragment OperatorPlan on Plan {\n    id\n    code\n    name\n    description\n    kind\n    status\n    visibility\n    overflowPolicy\n    timeZone\n    usageCurrency\n    warnThresholds\n    graceNanos\n    gracePercent\n    degradeMap\n    grantedOrganizationIds\n    dailyLimits {\n      id\n      metric\n      currency\n      model\n      limitValue\n    }\n  }\n": typeof types.OperatorPlanFragmentDoc,
    "\n  query OperatorPlans($status: PlanStatus) {\n    plans(status: $status) {\n      ...OperatorPlan\n    }\n    organizations(first: 200) {\n      edges {\n        node {\n          id\n          name\n          slug\n        }\n      }\n    }\n  }\n": typeof types.OperatorPlansDocument,
    "\n  mutation OperatorCreatePlan($input: CreatePlanInput!) {\n    createPlan(input: $input) {\n      ...OperatorPlan\n    }\n  }\n": typeof types.OperatorCreatePlanDocument,
    "\n  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {\n    updatePlan(id: $id, input: $input) {\n      ...OperatorPlan\n    }\n  }\n": typeof types.OperatorUpdatePlanDocument,
    "\n  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {\n    grantPlan(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": typeof types.OperatorGrantPlanDocument,
    "\n  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {\n    revokePlanGrant(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": typeof types.OperatorRevokePlanGrantDocument,
    "\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      ...PlanAssignmentFields\n    }\n  }\n": typeof types.OperatorPlanAssignmentsDocument,
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
    "\n  query OverviewWallets($organizationId: ID!) {\n    wallets(organizationId: $organizationId, first: 50) {\n      edges {\n        node { ...WalletBalances }\n      }\n    }\n  }\n": typeof types.OverviewWalletsDocument,
    "\n  subscription BalanceChanged($walletId: ID!) {\n    balanceChanged(walletId: $walletId, current: true) {\n      walletId\n      reason\n      balance { ...MoneyFields }\n      available { ...MoneyFields }\n      held { ...MoneyFields }\n    }\n  }\n": typeof types.BalanceChangedDocument,
    "\n  query OverviewToday($organizationId: ID!) {\n    effectivePlan(organizationId: $organizationId) {\n      plan { id name timeZone }\n    }\n    todayUsage(organizationId: $organizationId) {\n      day\n      resetsAt\n      limits { metric model currency limit used remaining }\n    }\n  }\n": typeof types.OverviewTodayDocument,
    "\n  subscription OverviewLimitChanged($organizationId: ID!) {\n    limitChanged(organizationId: $organizationId) {\n      kind\n      metric\n      used\n      limit\n    }\n  }\n": typeof types.OverviewLimitChangedDocument,
    "\n  query OverviewSpend($organizationId: ID!, $from: DateTime!, $timeZone: String!) {\n    usageAggregates(groupBy: DAY, timeZone: $timeZone, filter: { organizationId: $organizationId, from: $from }) {\n      day\n      requests\n      cost { ...MoneyFields }\n    }\n  }\n": typeof types.OverviewSpendDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      totpRequired\n      viewer { kind }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  mutation SelectOrganization($organizationId: ID!) {\n    selectOrganization(organizationId: $organizationId) { organization { id } }\n  }\n": typeof types.SelectOrganizationDocument,
    "\n  query AuthSettings {\n    authSettings { signUpOpen }\n  }\n": typeof types.AuthSettingsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { verificationSent }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password)\n  }\n": typeof types.ResetPasswordDocument,
    "\n  query TeamOrganization($id: ID!) {\n    organization(id: $id) {\n      id\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            createdAt\n            user { id email name }\n          }\n        }\n      }\n      teams(first: 10) {\n        edges {\n          node {\n            id\n            name\n            members(first: 10) {\n              edges { node { id user { id email } } }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.TeamOrganizationDocument,
    "\n  mutation CreateMember($input: CreateUserInput!) {\n    createUser(input: $input) { id email }\n  }\n": typeof types.CreateMemberDocument,
    "\n  mutation UpdateMembership($input: MembershipInput!) {\n    updateMembership(input: $input) { id role }\n  }\n": typeof types.UpdateMembershipDocument,
    "\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation CreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id name }\n  }\n": typeof types.CreateTeamDocument,
    "\n  mutation RenameTeam($input: UpdateTeamInput!) {\n    updateTeam(input: $input) { id name }\n  }\n": typeof types.RenameTeamDocument,
    "\n  mutation DeleteTeam($id: ID!) {\n    deleteTeam(id: $id) { id }\n  }\n": typeof types.DeleteTeamDocument,
    "\n  mutation AddTeamMember($input: TeamMemberInput!) {\n    addTeamMember(input: $input) { id }\n  }\n": typeof types.AddTeamMemberDocument,
    "\n  mutation RemoveTeamMember($input: TeamMemberInput!) {\n    removeTeamMember(input: $input) { id }\n  }\n": typeof types.RemoveTeamMemberDocument,
    "\n  query NotificationSettings($organizationId: String!) {\n    riskSettings(scopeType: ORGANIZATION, scopeId: $organizationId) { settings }\n  }\n": typeof types.NotificationSettingsDocument,
    "\n  mutation UpdateNotificationSettings($organizationId: ID!, $input: NotificationSettingsInput!) {\n    updateNotificationSettings(organizationId: $organizationId, input: $input)\n  }\n": typeof types.UpdateNotificationSettingsDocument,
    "\n  query WebhookEndpoints($organizationId: ID!) {\n    webhookEndpoints(organizationId: $organizationId) {\n      id\n      url\n      status\n      eventTypes\n      createdAt\n    }\n  }\n": typeof types.WebhookEndpointsDocument,
    "\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint { id url }\n    }\n  }\n": typeof types.CreateWebhookEndpointDocument,
    "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) { id url status eventTypes }\n  }\n": typeof types.UpdateWebhookEndpointDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      previousSecretExpiresAt\n      endpoint { id }\n    }\n  }\n": typeof types.RotateWebhookSecretDocument,
    "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": typeof types.DeleteWebhookEndpointDocument,
    "\n  query WebhookDeliveries($endpointId: ID!) {\n    webhookDeliveries(endpointId: $endpointId, first: 25) {\n      edges {\n        node {\n          id\n          eventId\n          eventType\n          status\n          attempts\n          lastError\n          createdAt\n          deliveredAt\n          nextAttemptAt\n        }\n      }\n    }\n  }\n": typeof types.WebhookDeliveriesDocument,
    "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) { id status attempts nextAttemptAt }\n  }\n": typeof types.ReplayWebhookDeliveryDocument,
    "\n  query TopUpWallets {\n    wallets(first: 20) {\n      edges {\n        node {\n          id\n          currency\n          owner { type id }\n          balance { ...MoneyFields }\n          available { ...MoneyFields }\n        }\n      }\n    }\n  }\n": typeof types.TopUpWalletsDocument,
    "\n  query TopUpProviders($currency: String!) {\n    topUpProviders(currency: $currency)\n  }\n": typeof types.TopUpProvidersDocument,
    "\n  mutation CreateTopUp($input: CreateTopUpInput!) {\n    createTopUp(input: $input) {\n      orderId\n      walletId\n      clientSecret\n      publishableKey\n      paymentPageUrl\n      qrCode\n      redirectUrl\n      idempotencyHit\n      payment {\n        id\n        provider\n        status\n        amount { ...MoneyFields }\n      }\n    }\n  }\n": typeof types.CreateTopUpDocument,
    "\n  query TopUpPaymentStatus($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Payment {\n        id\n        status\n        failureMessage\n        amount { ...MoneyFields }\n      }\n    }\n  }\n": typeof types.TopUpPaymentStatusDocument,
    "\n  query PaymentHistory($after: String) {\n    payments(first: 10, after: $after) {\n      edges {\n        node {\n          id\n          createdAt\n          provider\n          status\n          underReview\n          failureMessage\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n          disputes {\n            id\n            status\n            reason\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.PaymentHistoryDocument,
    "\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { ...MoneyFields }\n    }\n  }\n": typeof types.UsageByDayAndModelDocument,
    "\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n": typeof types.UsageModelsDocument,
    "\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n": typeof types.UsageKeysDocument,
    "\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { ...MoneyFields }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.UsageRecordsDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      isPlatformAdmin\n      role\n      scopes\n      apiKeyId\n      sessionId\n      isPlatformAdmin\n      totpEnabled\n      user { id email name }\n      organization { id name }\n      organizations { role organization { id name } }\n    }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  fragment MoneyFields on Money {\n    amount\n    currency\n    unit\n  }\n": types.MoneyFieldsFragmentDoc,
    "\n  fragment WalletBalances on Wallet {\n    id\n    currency\n    status\n    owner { id type }\n    balance { ...MoneyFields }\n    available { ...MoneyFields }\n    held { ...MoneyFields }\n  }\n": types.WalletBalancesFragmentDoc,
    "\n  fragment WalletPostingFields on WalletPostingPayload {\n    transactionId\n    idempotencyHit\n    balanceAfter { ...MoneyFields }\n  }\n": types.WalletPostingFieldsFragmentDoc,
    "\n  fragment OrganizationFields on Organization {\n    id\n    name\n    slug\n    status\n    createdAt\n  }\n": types.OrganizationFieldsFragmentDoc,
    "\n  fragment PlanAssignmentFields on PlanAssignment {\n    id\n    subjectType\n    subjectId\n    effectiveFrom\n    effectiveTo\n    assignedBy\n    plan { id code name }\n  }\n": types.PlanAssignmentFieldsFragmentDoc,
    "\n  query Sessions {\n    sessions { id createdAt lastSeenAt expiresAt userAgent current }\n  }\n": types.SessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeSessionDocument,
    "\n  mutation StartTotpEnrollment {\n    startTotpEnrollment { secret qrCode otpauthUrl }\n  }\n": types.StartTotpEnrollmentDocument,
    "\n  mutation ConfirmTotpEnrollment($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n": types.ConfirmTotpEnrollmentDocument,
    "\n  mutation DisableTotp($code: String!) {\n    disableTotp(code: $code)\n  }\n": types.DisableTotpDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n": types.UpdateApiKeyDocument,
    "\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n": types.RotateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query OperatorLedgerConsistency {\n    ledgerConsistency {\n      ok\n      walletsChecked\n      transactionsChecked\n      walletMismatches {\n        walletId\n        currency\n        balanceNanos\n        entriesSumNanos\n        heldNanos\n        activeHoldsSumNanos\n        accountBalanceNanos\n      }\n      accountMismatches {\n        accountId\n        balanceNanos\n        entriesSumNanos\n      }\n      unbalancedTransactions {\n        transactionId\n        currency\n        sumNanos\n      }\n    }\n  }\n": types.OperatorLedgerConsistencyDocument,
    "\n  query OperatorLiteLLMDrift {\n    litellmDrift {\n      entityType\n      entityId\n      direction\n      driftUsd\n      litellmSpendUsd\n      tollgateUsageNanos\n    }\n  }\n": types.OperatorLiteLlmDriftDocument,
    "\n  mutation OperatorResyncLiteLLMBudgets($walletId: ID) {\n    resyncLiteLLMBudgets(walletId: $walletId)\n  }\n": types.OperatorResyncLiteLlmBudgetsDocument,
    "\n  query OperatorLagoReconciliation($from: DateTime!, $to: DateTime!, $samplePerDay: Int) {\n    lagoReconciliation(from: $from, to: $to, samplePerDay: $samplePerDay) {\n      from\n      to\n      differenceCount\n      rows {\n        day\n        externalCustomerId\n        usageRecords\n        usageDelivered\n        usageChecked\n        usageConfirmed\n        topUps\n        topUpsConfirmed\n        refunds\n        refundsConfirmed\n        costNanos\n        totalTokens\n        differences {\n          kind\n          reference\n          detail\n        }\n      }\n    }\n  }\n": types.OperatorLagoReconciliationDocument,
    "\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          ...OrganizationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.OperatorOrganizationsDocument,
    "\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      ...OrganizationFields\n      memberships(first: 25) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 10) {\n      edges {\n        node {\n          ...WalletBalances\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount { ...MoneyFields }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 50) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      ...PlanAssignmentFields\n    }\n  }\n": types.OperatorOrganizationDetailDocument,
    "\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n": types.OperatorGrantCreditsDocument,
    "\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n": types.OperatorAdjustWalletDocument,
    "\n  query OperatorOutboxDeliveries($first: Int!, $after: String, $status: [OutboxStatus!], $topic: String) {\n    outboxDeliveries(first: $first, after: $after, status: $status, topic: $topic) {\n      edges {\n        node {\n          id\n          topic\n          status\n          attempts\n          createdAt\n          nextAttemptAt\n          deliveredAt\n          lastError\n          requestId\n          orderingKey\n          payload\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.OperatorOutboxDeliveriesDocument,
    "\n  mutation OperatorReplayDelivery($id: ID!) {\n    replayDelivery(id: $id) {\n      id\n      status\n      attempts\n      nextAttemptAt\n    }\n  }\n": types.OperatorReplayDeliveryDocument,
    "\n  query OperatorPayments($first: Int!, $after: String, $status: [PaymentStatus!], $organizationId: ID) {\n    payments(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          orderId\n          walletId\n          provider\n          providerTxnId\n          status\n          underReview\n          riskLevel\n          createdAt\n          succeededAt\n          failureCode\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.OperatorPaymentsDocument,
    "\n  mutation OperatorReleasePaymentReview($paymentId: ID!) {\n    releasePaymentReview(paymentId: $paymentId) {\n      id\n      underReview\n    }\n  }\n": types.OperatorReleasePaymentReviewDocument,
    "\n  mutation OperatorRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      id\n      status\n      amount { ...MoneyFields }\n    }\n  }\n": types.OperatorRefundPaymentDocument,
    "\n  query OperatorDisputes($first: Int!, $after: String, $status: [DisputeStatus!], $organizationId: ID) {\n    disputes(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          providerDisputeId\n          status\n          reason\n          createdAt\n          updatedAt\n          amount { ...MoneyFields }\n          payment {\n            id\n            orderId\n            provider\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.OperatorDisputesDocument,
    "\n  fragment OperatorPlan on Plan {\n    id\n    code\n    name\n    description\n    kind\n    status\n    visibility\n    overflowPolicy\n    timeZone\n    usageCurrency\n    warnThresholds\n    graceNanos\n    gracePercent\n    degradeMap\n    grantedOrganizationIds\n    dailyLimits {\n      id\n      metric\n      currency\n      model\n      limitValue\n    }\n  }\n": types.OperatorPlanFragmentDoc,
    "\n  query OperatorPlans($status: PlanStatus) {\n    plans(status: $status) {\n      ...OperatorPlan\n    }\n    organizations(first: 200) {\n      edges {\n        node {\n          id\n          name\n          slug\n        }\n      }\n    }\n  }\n": types.OperatorPlansDocument,
    "\n  mutation OperatorCreatePlan($input: CreatePlanInput!) {\n    createPlan(input: $input) {\n      ...OperatorPlan\n    }\n  }\n": types.OperatorCreatePlanDocument,
    "\n  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {\n    updatePlan(id: $id, input: $input) {\n      ...OperatorPlan\n    }\n  }\n": types.OperatorUpdatePlanDocument,
    "\n  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {\n    grantPlan(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": types.OperatorGrantPlanDocument,
    "\n  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {\n    revokePlanGrant(organizationId: $organizationId, planId: $planId) {\n      id\n      grantedOrganizationIds\n    }\n  }\n": types.OperatorRevokePlanGrantDocument,
    "\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      ...PlanAssignmentFields\n    }\n  }\n": types.OperatorPlanAssignmentsDocument,
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
    "\n  query OverviewWallets($organizationId: ID!) {\n    wallets(organizationId: $organizationId, first: 50) {\n      edges {\n        node { ...WalletBalances }\n      }\n    }\n  }\n": types.OverviewWalletsDocument,
    "\n  subscription BalanceChanged($walletId: ID!) {\n    balanceChanged(walletId: $walletId, current: true) {\n      walletId\n      reason\n      balance { ...MoneyFields }\n      available { ...MoneyFields }\n      held { ...MoneyFields }\n    }\n  }\n": types.BalanceChangedDocument,
    "\n  query OverviewToday($organizationId: ID!) {\n    effectivePlan(organizationId: $organizationId) {\n      plan { id name timeZone }\n    }\n    todayUsage(organizationId: $organizationId) {\n      day\n      resetsAt\n      limits { metric model currency limit used remaining }\n    }\n  }\n": types.OverviewTodayDocument,
    "\n  subscription OverviewLimitChanged($organizationId: ID!) {\n    limitChanged(organizationId: $organizationId) {\n      kind\n      metric\n      used\n      limit\n    }\n  }\n": types.OverviewLimitChangedDocument,
    "\n  query OverviewSpend($organizationId: ID!, $from: DateTime!, $timeZone: String!) {\n    usageAggregates(groupBy: DAY, timeZone: $timeZone, filter: { organizationId: $organizationId, from: $from }) {\n      day\n      requests\n      cost { ...MoneyFields }\n    }\n  }\n": types.OverviewSpendDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      totpRequired\n      viewer { kind }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  mutation SelectOrganization($organizationId: ID!) {\n    selectOrganization(organizationId: $organizationId) { organization { id } }\n  }\n": types.SelectOrganizationDocument,
    "\n  query AuthSettings {\n    authSettings { signUpOpen }\n  }\n": types.AuthSettingsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { verificationSent }\n  }\n": types.SignUpDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": types.VerifyEmailDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password)\n  }\n": types.ResetPasswordDocument,
    "\n  query TeamOrganization($id: ID!) {\n    organization(id: $id) {\n      id\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            createdAt\n            user { id email name }\n          }\n        }\n      }\n      teams(first: 10) {\n        edges {\n          node {\n            id\n            name\n            members(first: 10) {\n              edges { node { id user { id email } } }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.TeamOrganizationDocument,
    "\n  mutation CreateMember($input: CreateUserInput!) {\n    createUser(input: $input) { id email }\n  }\n": types.CreateMemberDocument,
    "\n  mutation UpdateMembership($input: MembershipInput!) {\n    updateMembership(input: $input) { id role }\n  }\n": types.UpdateMembershipDocument,
    "\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input)\n  }\n": types.RemoveMemberDocument,
    "\n  mutation CreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id name }\n  }\n": types.CreateTeamDocument,
    "\n  mutation RenameTeam($input: UpdateTeamInput!) {\n    updateTeam(input: $input) { id name }\n  }\n": types.RenameTeamDocument,
    "\n  mutation DeleteTeam($id: ID!) {\n    deleteTeam(id: $id) { id }\n  }\n": types.DeleteTeamDocument,
    "\n  mutation AddTeamMember($input: TeamMemberInput!) {\n    addTeamMember(input: $input) { id }\n  }\n": types.AddTeamMemberDocument,
    "\n  mutation RemoveTeamMember($input: TeamMemberInput!) {\n    removeTeamMember(input: $input) { id }\n  }\n": types.RemoveTeamMemberDocument,
    "\n  query NotificationSettings($organizationId: String!) {\n    riskSettings(scopeType: ORGANIZATION, scopeId: $organizationId) { settings }\n  }\n": types.NotificationSettingsDocument,
    "\n  mutation UpdateNotificationSettings($organizationId: ID!, $input: NotificationSettingsInput!) {\n    updateNotificationSettings(organizationId: $organizationId, input: $input)\n  }\n": types.UpdateNotificationSettingsDocument,
    "\n  query WebhookEndpoints($organizationId: ID!) {\n    webhookEndpoints(organizationId: $organizationId) {\n      id\n      url\n      status\n      eventTypes\n      createdAt\n    }\n  }\n": types.WebhookEndpointsDocument,
    "\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint { id url }\n    }\n  }\n": types.CreateWebhookEndpointDocument,
    "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) { id url status eventTypes }\n  }\n": types.UpdateWebhookEndpointDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      previousSecretExpiresAt\n      endpoint { id }\n    }\n  }\n": types.RotateWebhookSecretDocument,
    "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": types.DeleteWebhookEndpointDocument,
    "\n  query WebhookDeliveries($endpointId: ID!) {\n    webhookDeliveries(endpointId: $endpointId, first: 25) {\n      edges {\n        node {\n          id\n          eventId\n          eventType\n          status\n          attempts\n          lastError\n          createdAt\n          deliveredAt\n          nextAttemptAt\n        }\n      }\n    }\n  }\n": types.WebhookDeliveriesDocument,
    "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) { id status attempts nextAttemptAt }\n  }\n": types.ReplayWebhookDeliveryDocument,
    "\n  query TopUpWallets {\n    wallets(first: 20) {\n      edges {\n        node {\n          id\n          currency\n          owner { type id }\n          balance { ...MoneyFields }\n          available { ...MoneyFields }\n        }\n      }\n    }\n  }\n": types.TopUpWalletsDocument,
    "\n  query TopUpProviders($currency: String!) {\n    topUpProviders(currency: $currency)\n  }\n": types.TopUpProvidersDocument,
    "\n  mutation CreateTopUp($input: CreateTopUpInput!) {\n    createTopUp(input: $input) {\n      orderId\n      walletId\n      clientSecret\n      publishableKey\n      paymentPageUrl\n      qrCode\n      redirectUrl\n      idempotencyHit\n      payment {\n        id\n        provider\n        status\n        amount { ...MoneyFields }\n      }\n    }\n  }\n": types.CreateTopUpDocument,
    "\n  query TopUpPaymentStatus($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Payment {\n        id\n        status\n        failureMessage\n        amount { ...MoneyFields }\n      }\n    }\n  }\n": types.TopUpPaymentStatusDocument,
    "\n  query PaymentHistory($after: String) {\n    payments(first: 10, after: $after) {\n      edges {\n        node {\n          id\n          createdAt\n          provider\n          status\n          underReview\n          failureMessage\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n          disputes {\n            id\n            status\n            reason\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.PaymentHistoryDocument,
    "\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { ...MoneyFields }\n    }\n  }\n": types.UsageByDayAndModelDocument,
    "\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n": types.UsageModelsDocument,
    "\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n": types.UsageKeysDocument,
    "\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { ...MoneyFields }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.UsageRecordsDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      isPlatformAdmin\n      role\n      scopes\n      apiKeyId\n      sessionId\n      isPlatformAdmin\n      totpEnabled\n      user { id email name }\n      organization { id name }\n      organizations { role organization { id name } }\n    }\n  }\n": types.ViewerDocument,
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
export function graphql(source: "\n  fragment MoneyFields on Money {\n    amount\n    currency\n    unit\n  }\n"): (typeof documents)["\n  fragment MoneyFields on Money {\n    amount\n    currency\n    unit\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WalletBalances on Wallet {\n    id\n    currency\n    status\n    owner { id type }\n    balance { ...MoneyFields }\n    available { ...MoneyFields }\n    held { ...MoneyFields }\n  }\n"): (typeof documents)["\n  fragment WalletBalances on Wallet {\n    id\n    currency\n    status\n    owner { id type }\n    balance { ...MoneyFields }\n    available { ...MoneyFields }\n    held { ...MoneyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WalletPostingFields on WalletPostingPayload {\n    transactionId\n    idempotencyHit\n    balanceAfter { ...MoneyFields }\n  }\n"): (typeof documents)["\n  fragment WalletPostingFields on WalletPostingPayload {\n    transactionId\n    idempotencyHit\n    balanceAfter { ...MoneyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrganizationFields on Organization {\n    id\n    name\n    slug\n    status\n    createdAt\n  }\n"): (typeof documents)["\n  fragment OrganizationFields on Organization {\n    id\n    name\n    slug\n    status\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlanAssignmentFields on PlanAssignment {\n    id\n    subjectType\n    subjectId\n    effectiveFrom\n    effectiveTo\n    assignedBy\n    plan { id code name }\n  }\n"): (typeof documents)["\n  fragment PlanAssignmentFields on PlanAssignment {\n    id\n    subjectType\n    subjectId\n    effectiveFrom\n    effectiveTo\n    assignedBy\n    plan { id code name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sessions {\n    sessions { id createdAt lastSeenAt expiresAt userAgent current }\n  }\n"): (typeof documents)["\n  query Sessions {\n    sessions { id createdAt lastSeenAt expiresAt userAgent current }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartTotpEnrollment {\n    startTotpEnrollment { secret qrCode otpauthUrl }\n  }\n"): (typeof documents)["\n  mutation StartTotpEnrollment {\n    startTotpEnrollment { secret qrCode otpauthUrl }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmTotpEnrollment($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n"): (typeof documents)["\n  mutation ConfirmTotpEnrollment($code: String!) {\n    confirmTotpEnrollment(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableTotp($code: String!) {\n    disableTotp(code: $code)\n  }\n"): (typeof documents)["\n  mutation DisableTotp($code: String!) {\n    disableTotp(code: $code)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    scopes\n    modelAllowlist\n    budgetNanos\n    budgetCurrency\n    dailyCapNanos\n    rpmLimit\n    tpmLimit\n    expiresAt\n    revokedAt\n    graceUntil\n    lastUsedAt\n    createdAt\n    user { id email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys($after: String, $includeRevoked: Boolean) {\n    apiKeys(first: 100, after: $after, includeRevoked: $includeRevoked) {\n      edges { node { ...ApiKeyFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { ...ApiKeyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n"): (typeof documents)["\n  mutation UpdateApiKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) { ...ApiKeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n"): (typeof documents)["\n  mutation RotateApiKey($id: ID!) {\n    rotateApiKey(id: $id) {\n      secret\n      apiKey { ...ApiKeyFields }\n      previous { ...ApiKeyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { ...ApiKeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorLedgerConsistency {\n    ledgerConsistency {\n      ok\n      walletsChecked\n      transactionsChecked\n      walletMismatches {\n        walletId\n        currency\n        balanceNanos\n        entriesSumNanos\n        heldNanos\n        activeHoldsSumNanos\n        accountBalanceNanos\n      }\n      accountMismatches {\n        accountId\n        balanceNanos\n        entriesSumNanos\n      }\n      unbalancedTransactions {\n        transactionId\n        currency\n        sumNanos\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorLedgerConsistency {\n    ledgerConsistency {\n      ok\n      walletsChecked\n      transactionsChecked\n      walletMismatches {\n        walletId\n        currency\n        balanceNanos\n        entriesSumNanos\n        heldNanos\n        activeHoldsSumNanos\n        accountBalanceNanos\n      }\n      accountMismatches {\n        accountId\n        balanceNanos\n        entriesSumNanos\n      }\n      unbalancedTransactions {\n        transactionId\n        currency\n        sumNanos\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorLiteLLMDrift {\n    litellmDrift {\n      entityType\n      entityId\n      direction\n      driftUsd\n      litellmSpendUsd\n      tollgateUsageNanos\n    }\n  }\n"): (typeof documents)["\n  query OperatorLiteLLMDrift {\n    litellmDrift {\n      entityType\n      entityId\n      direction\n      driftUsd\n      litellmSpendUsd\n      tollgateUsageNanos\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorResyncLiteLLMBudgets($walletId: ID) {\n    resyncLiteLLMBudgets(walletId: $walletId)\n  }\n"): (typeof documents)["\n  mutation OperatorResyncLiteLLMBudgets($walletId: ID) {\n    resyncLiteLLMBudgets(walletId: $walletId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorLagoReconciliation($from: DateTime!, $to: DateTime!, $samplePerDay: Int) {\n    lagoReconciliation(from: $from, to: $to, samplePerDay: $samplePerDay) {\n      from\n      to\n      differenceCount\n      rows {\n        day\n        externalCustomerId\n        usageRecords\n        usageDelivered\n        usageChecked\n        usageConfirmed\n        topUps\n        topUpsConfirmed\n        refunds\n        refundsConfirmed\n        costNanos\n        totalTokens\n        differences {\n          kind\n          reference\n          detail\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorLagoReconciliation($from: DateTime!, $to: DateTime!, $samplePerDay: Int) {\n    lagoReconciliation(from: $from, to: $to, samplePerDay: $samplePerDay) {\n      from\n      to\n      differenceCount\n      rows {\n        day\n        externalCustomerId\n        usageRecords\n        usageDelivered\n        usageChecked\n        usageConfirmed\n        topUps\n        topUpsConfirmed\n        refunds\n        refundsConfirmed\n        costNanos\n        totalTokens\n        differences {\n          kind\n          reference\n          detail\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          ...OrganizationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorOrganizations($first: Int!, $after: String) {\n    organizations(first: $first, after: $after) {\n      edges {\n        node {\n          ...OrganizationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      ...OrganizationFields\n      memberships(first: 25) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 10) {\n      edges {\n        node {\n          ...WalletBalances\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount { ...MoneyFields }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 50) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      ...PlanAssignmentFields\n    }\n  }\n"): (typeof documents)["\n  query OperatorOrganizationDetail($id: ID!) {\n    organization(id: $id) {\n      ...OrganizationFields\n      memberships(first: 25) {\n        edges {\n          node {\n            id\n            role\n            user {\n              id\n              email\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n    wallets(organizationId: $id, first: 10) {\n      edges {\n        node {\n          ...WalletBalances\n          entries(first: 5) {\n            edges {\n              node {\n                id\n                createdAt\n                reason\n                description\n                amount { ...MoneyFields }\n              }\n            }\n          }\n        }\n      }\n    }\n    apiKeys(organizationId: $id, first: 50) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    planAssignments(organizationId: $id) {\n      ...PlanAssignmentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorGrantCredits($input: GrantCreditsInput!) {\n    grantCredits(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorAdjustWallet($input: AdjustWalletInput!) {\n    adjustWallet(input: $input) {\n      ...WalletPostingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorOutboxDeliveries($first: Int!, $after: String, $status: [OutboxStatus!], $topic: String) {\n    outboxDeliveries(first: $first, after: $after, status: $status, topic: $topic) {\n      edges {\n        node {\n          id\n          topic\n          status\n          attempts\n          createdAt\n          nextAttemptAt\n          deliveredAt\n          lastError\n          requestId\n          orderingKey\n          payload\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorOutboxDeliveries($first: Int!, $after: String, $status: [OutboxStatus!], $topic: String) {\n    outboxDeliveries(first: $first, after: $after, status: $status, topic: $topic) {\n      edges {\n        node {\n          id\n          topic\n          status\n          attempts\n          createdAt\n          nextAttemptAt\n          deliveredAt\n          lastError\n          requestId\n          orderingKey\n          payload\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorReplayDelivery($id: ID!) {\n    replayDelivery(id: $id) {\n      id\n      status\n      attempts\n      nextAttemptAt\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorReplayDelivery($id: ID!) {\n    replayDelivery(id: $id) {\n      id\n      status\n      attempts\n      nextAttemptAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorPayments($first: Int!, $after: String, $status: [PaymentStatus!], $organizationId: ID) {\n    payments(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          orderId\n          walletId\n          provider\n          providerTxnId\n          status\n          underReview\n          riskLevel\n          createdAt\n          succeededAt\n          failureCode\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorPayments($first: Int!, $after: String, $status: [PaymentStatus!], $organizationId: ID) {\n    payments(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          orderId\n          walletId\n          provider\n          providerTxnId\n          status\n          underReview\n          riskLevel\n          createdAt\n          succeededAt\n          failureCode\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorReleasePaymentReview($paymentId: ID!) {\n    releasePaymentReview(paymentId: $paymentId) {\n      id\n      underReview\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorReleasePaymentReview($paymentId: ID!) {\n    releasePaymentReview(paymentId: $paymentId) {\n      id\n      underReview\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OperatorRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      id\n      status\n      amount { ...MoneyFields }\n    }\n  }\n"): (typeof documents)["\n  mutation OperatorRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      id\n      status\n      amount { ...MoneyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OperatorDisputes($first: Int!, $after: String, $status: [DisputeStatus!], $organizationId: ID) {\n    disputes(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          providerDisputeId\n          status\n          reason\n          createdAt\n          updatedAt\n          amount { ...MoneyFields }\n          payment {\n            id\n            orderId\n            provider\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query OperatorDisputes($first: Int!, $after: String, $status: [DisputeStatus!], $organizationId: ID) {\n    disputes(first: $first, after: $after, status: $status, organizationId: $organizationId) {\n      edges {\n        node {\n          id\n          providerDisputeId\n          status\n          reason\n          createdAt\n          updatedAt\n          amount { ...MoneyFields }\n          payment {\n            id\n            orderId\n            provider\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      ...PlanAssignmentFields\n    }\n  }\n"): (typeof documents)["\n  query OperatorPlanAssignments($organizationId: ID!) {\n    planAssignments(organizationId: $organizationId) {\n      ...PlanAssignmentFields\n    }\n  }\n"];
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
export function graphql(source: "\n  query OverviewWallets($organizationId: ID!) {\n    wallets(organizationId: $organizationId, first: 50) {\n      edges {\n        node { ...WalletBalances }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OverviewWallets($organizationId: ID!) {\n    wallets(organizationId: $organizationId, first: 50) {\n      edges {\n        node { ...WalletBalances }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BalanceChanged($walletId: ID!) {\n    balanceChanged(walletId: $walletId, current: true) {\n      walletId\n      reason\n      balance { ...MoneyFields }\n      available { ...MoneyFields }\n      held { ...MoneyFields }\n    }\n  }\n"): (typeof documents)["\n  subscription BalanceChanged($walletId: ID!) {\n    balanceChanged(walletId: $walletId, current: true) {\n      walletId\n      reason\n      balance { ...MoneyFields }\n      available { ...MoneyFields }\n      held { ...MoneyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverviewToday($organizationId: ID!) {\n    effectivePlan(organizationId: $organizationId) {\n      plan { id name timeZone }\n    }\n    todayUsage(organizationId: $organizationId) {\n      day\n      resetsAt\n      limits { metric model currency limit used remaining }\n    }\n  }\n"): (typeof documents)["\n  query OverviewToday($organizationId: ID!) {\n    effectivePlan(organizationId: $organizationId) {\n      plan { id name timeZone }\n    }\n    todayUsage(organizationId: $organizationId) {\n      day\n      resetsAt\n      limits { metric model currency limit used remaining }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OverviewLimitChanged($organizationId: ID!) {\n    limitChanged(organizationId: $organizationId) {\n      kind\n      metric\n      used\n      limit\n    }\n  }\n"): (typeof documents)["\n  subscription OverviewLimitChanged($organizationId: ID!) {\n    limitChanged(organizationId: $organizationId) {\n      kind\n      metric\n      used\n      limit\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverviewSpend($organizationId: ID!, $from: DateTime!, $timeZone: String!) {\n    usageAggregates(groupBy: DAY, timeZone: $timeZone, filter: { organizationId: $organizationId, from: $from }) {\n      day\n      requests\n      cost { ...MoneyFields }\n    }\n  }\n"): (typeof documents)["\n  query OverviewSpend($organizationId: ID!, $from: DateTime!, $timeZone: String!) {\n    usageAggregates(groupBy: DAY, timeZone: $timeZone, filter: { organizationId: $organizationId, from: $from }) {\n      day\n      requests\n      cost { ...MoneyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      totpRequired\n      viewer { kind }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      totpRequired\n      viewer { kind }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SelectOrganization($organizationId: ID!) {\n    selectOrganization(organizationId: $organizationId) { organization { id } }\n  }\n"): (typeof documents)["\n  mutation SelectOrganization($organizationId: ID!) {\n    selectOrganization(organizationId: $organizationId) { organization { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthSettings {\n    authSettings { signUpOpen }\n  }\n"): (typeof documents)["\n  query AuthSettings {\n    authSettings { signUpOpen }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { verificationSent }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { verificationSent }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password)\n  }\n"): (typeof documents)["\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamOrganization($id: ID!) {\n    organization(id: $id) {\n      id\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            createdAt\n            user { id email name }\n          }\n        }\n      }\n      teams(first: 10) {\n        edges {\n          node {\n            id\n            name\n            members(first: 10) {\n              edges { node { id user { id email } } }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamOrganization($id: ID!) {\n    organization(id: $id) {\n      id\n      memberships(first: 50) {\n        edges {\n          node {\n            id\n            role\n            createdAt\n            user { id email name }\n          }\n        }\n      }\n      teams(first: 10) {\n        edges {\n          node {\n            id\n            name\n            members(first: 10) {\n              edges { node { id user { id email } } }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateMember($input: CreateUserInput!) {\n    createUser(input: $input) { id email }\n  }\n"): (typeof documents)["\n  mutation CreateMember($input: CreateUserInput!) {\n    createUser(input: $input) { id email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMembership($input: MembershipInput!) {\n    updateMembership(input: $input) { id role }\n  }\n"): (typeof documents)["\n  mutation UpdateMembership($input: MembershipInput!) {\n    updateMembership(input: $input) { id role }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input)\n  }\n"): (typeof documents)["\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id name }\n  }\n"): (typeof documents)["\n  mutation CreateTeam($input: CreateTeamInput!) {\n    createTeam(input: $input) { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameTeam($input: UpdateTeamInput!) {\n    updateTeam(input: $input) { id name }\n  }\n"): (typeof documents)["\n  mutation RenameTeam($input: UpdateTeamInput!) {\n    updateTeam(input: $input) { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTeam($id: ID!) {\n    deleteTeam(id: $id) { id }\n  }\n"): (typeof documents)["\n  mutation DeleteTeam($id: ID!) {\n    deleteTeam(id: $id) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddTeamMember($input: TeamMemberInput!) {\n    addTeamMember(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation AddTeamMember($input: TeamMemberInput!) {\n    addTeamMember(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveTeamMember($input: TeamMemberInput!) {\n    removeTeamMember(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation RemoveTeamMember($input: TeamMemberInput!) {\n    removeTeamMember(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationSettings($organizationId: String!) {\n    riskSettings(scopeType: ORGANIZATION, scopeId: $organizationId) { settings }\n  }\n"): (typeof documents)["\n  query NotificationSettings($organizationId: String!) {\n    riskSettings(scopeType: ORGANIZATION, scopeId: $organizationId) { settings }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateNotificationSettings($organizationId: ID!, $input: NotificationSettingsInput!) {\n    updateNotificationSettings(organizationId: $organizationId, input: $input)\n  }\n"): (typeof documents)["\n  mutation UpdateNotificationSettings($organizationId: ID!, $input: NotificationSettingsInput!) {\n    updateNotificationSettings(organizationId: $organizationId, input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookEndpoints($organizationId: ID!) {\n    webhookEndpoints(organizationId: $organizationId) {\n      id\n      url\n      status\n      eventTypes\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query WebhookEndpoints($organizationId: ID!) {\n    webhookEndpoints(organizationId: $organizationId) {\n      id\n      url\n      status\n      eventTypes\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint { id url }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint { id url }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) { id url status eventTypes }\n  }\n"): (typeof documents)["\n  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) { id url status eventTypes }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      previousSecretExpiresAt\n      endpoint { id }\n    }\n  }\n"): (typeof documents)["\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id) {\n      secret\n      previousSecretExpiresAt\n      endpoint { id }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookDeliveries($endpointId: ID!) {\n    webhookDeliveries(endpointId: $endpointId, first: 25) {\n      edges {\n        node {\n          id\n          eventId\n          eventType\n          status\n          attempts\n          lastError\n          createdAt\n          deliveredAt\n          nextAttemptAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookDeliveries($endpointId: ID!) {\n    webhookDeliveries(endpointId: $endpointId, first: 25) {\n      edges {\n        node {\n          id\n          eventId\n          eventType\n          status\n          attempts\n          lastError\n          createdAt\n          deliveredAt\n          nextAttemptAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) { id status attempts nextAttemptAt }\n  }\n"): (typeof documents)["\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) { id status attempts nextAttemptAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopUpWallets {\n    wallets(first: 20) {\n      edges {\n        node {\n          id\n          currency\n          owner { type id }\n          balance { ...MoneyFields }\n          available { ...MoneyFields }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TopUpWallets {\n    wallets(first: 20) {\n      edges {\n        node {\n          id\n          currency\n          owner { type id }\n          balance { ...MoneyFields }\n          available { ...MoneyFields }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopUpProviders($currency: String!) {\n    topUpProviders(currency: $currency)\n  }\n"): (typeof documents)["\n  query TopUpProviders($currency: String!) {\n    topUpProviders(currency: $currency)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTopUp($input: CreateTopUpInput!) {\n    createTopUp(input: $input) {\n      orderId\n      walletId\n      clientSecret\n      publishableKey\n      paymentPageUrl\n      qrCode\n      redirectUrl\n      idempotencyHit\n      payment {\n        id\n        provider\n        status\n        amount { ...MoneyFields }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTopUp($input: CreateTopUpInput!) {\n    createTopUp(input: $input) {\n      orderId\n      walletId\n      clientSecret\n      publishableKey\n      paymentPageUrl\n      qrCode\n      redirectUrl\n      idempotencyHit\n      payment {\n        id\n        provider\n        status\n        amount { ...MoneyFields }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopUpPaymentStatus($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Payment {\n        id\n        status\n        failureMessage\n        amount { ...MoneyFields }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TopUpPaymentStatus($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Payment {\n        id\n        status\n        failureMessage\n        amount { ...MoneyFields }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PaymentHistory($after: String) {\n    payments(first: 10, after: $after) {\n      edges {\n        node {\n          id\n          createdAt\n          provider\n          status\n          underReview\n          failureMessage\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n          disputes {\n            id\n            status\n            reason\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query PaymentHistory($after: String) {\n    payments(first: 10, after: $after) {\n      edges {\n        node {\n          id\n          createdAt\n          provider\n          status\n          underReview\n          failureMessage\n          amount { ...MoneyFields }\n          amountRefunded { ...MoneyFields }\n          refunds {\n            id\n            status\n            reason\n            createdAt\n            amount { ...MoneyFields }\n          }\n          disputes {\n            id\n            status\n            reason\n            amount { ...MoneyFields }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { ...MoneyFields }\n    }\n  }\n"): (typeof documents)["\n  query UsageByDayAndModel($filter: UsageFilter, $timeZone: String) {\n    usageAggregates(groupBy: DAY_AND_MODEL, filter: $filter, timeZone: $timeZone) {\n      day\n      model\n      requests\n      failedRequests\n      promptTokens\n      completionTokens\n      cachedTokens\n      cost { ...MoneyFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n"): (typeof documents)["\n  query UsageModels {\n    usageAggregates(groupBy: MODEL) { model }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n"): (typeof documents)["\n  query UsageKeys {\n    apiKeys(first: 100, includeRevoked: true) {\n      edges { node { id name prefix } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { ...MoneyFields }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query UsageRecords($filter: UsageFilter, $first: Int!, $after: String) {\n    usageRecords(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          requestId\n          createdAt\n          apiKeyId\n          modelRequested\n          modelServed\n          promptTokens\n          completionTokens\n          cachedTokens\n          cost { ...MoneyFields }\n          status\n          httpStatus\n          latencyMs\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      kind\n      isPlatformAdmin\n      role\n      scopes\n      apiKeyId\n      sessionId\n      isPlatformAdmin\n      totpEnabled\n      user { id email name }\n      organization { id name }\n      organizations { role organization { id name } }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      kind\n      isPlatformAdmin\n      role\n      scopes\n      apiKeyId\n      sessionId\n      isPlatformAdmin\n      totpEnabled\n      user { id email name }\n      organization { id name }\n      organizations { role organization { id name } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;