/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A 64-bit integer (money in minor or nano units), serialised as a decimal string. */
  BigInt: { input: string; output: string; }
  /** An ISO-8601 timestamp in UTC. */
  DateTime: { input: string; output: string; }
  JSON: { input: unknown; output: unknown; }
};

export type AdjustWalletInput = {
  /** Signed amount in nano-units (negative debits the wallet). */
  amountNanos: Scalars['BigInt']['input'];
  idempotencyKey: Scalars['String']['input'];
  /** Why: kept on the transaction and in the audit log. */
  reason: Scalars['String']['input'];
  wallet?: InputMaybe<WalletOwnerInput>;
  /** The wallet; or give `wallet`. */
  walletId?: InputMaybe<Scalars['ID']['input']>;
};

export type ApiKey = Node & {
  __typename?: 'ApiKey';
  budgetCurrency?: Maybe<Scalars['String']['output']>;
  budgetNanos?: Maybe<Scalars['BigInt']['output']>;
  createdAt: Scalars['DateTime']['output'];
  dailyCapNanos?: Maybe<Scalars['BigInt']['output']>;
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** A rotated key keeps working until then. */
  graceUntil?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Empty = every model. */
  modelAllowlist: Array<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  organization: Organization;
  /** The visible start of the secret. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  rpmLimit?: Maybe<Scalars['Int']['output']>;
  scopes: Array<ApiScope>;
  /** LiteLLM mirror: pending | synced | failed | deleted | disabled. */
  syncState: Scalars['String']['output'];
  team?: Maybe<Team>;
  tpmLimit?: Maybe<Scalars['Int']['output']>;
  user: User;
};

export type ApiKeySecretPayload = {
  __typename?: 'ApiKeySecretPayload';
  apiKey: ApiKey;
  /** rotateApiKey: the old key, working until its graceUntil. */
  previous?: Maybe<ApiKey>;
  /** The key itself. Shown once; store it now. */
  secret: Scalars['String']['output'];
};

/** What an API key may do: INFERENCE (proxy), READ (queries), MANAGE (identity), BILLING (money). */
export enum ApiScope {
  Billing = 'BILLING',
  Inference = 'INFERENCE',
  Manage = 'MANAGE',
  Read = 'READ'
}

export type AssignPlanInput = {
  /** Default: now. */
  effectiveFrom?: InputMaybe<Scalars['DateTime']['input']>;
  effectiveTo?: InputMaybe<Scalars['DateTime']['input']>;
  organizationId: Scalars['ID']['input'];
  planId: Scalars['ID']['input'];
  /** The organization, team, user or API key id. */
  subjectId: Scalars['ID']['input'];
  subjectType: PlanSubjectType;
};

export type BalanceChanged = {
  __typename?: 'BalanceChanged';
  available: Money;
  balance: Money;
  held: Money;
  organizationId: Scalars['String']['output'];
  /** topup | usage | refund | grant | adjustment | reversal | hold | hold_released | hold_expired */
  reason: Scalars['String']['output'];
  transactionId?: Maybe<Scalars['String']['output']>;
  walletId: Scalars['ID']['output'];
};

export type BalanceThresholdByCurrencyInput = {
  currency: Scalars['String']['input'];
  thresholdNanos: Array<Scalars['BigInt']['input']>;
};

export type BalanceThresholdByWalletInput = {
  thresholdNanos: Array<Scalars['BigInt']['input']>;
  walletId: Scalars['String']['input'];
};

export type ComponentStatus = {
  __typename?: 'ComponentStatus';
  detail?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  ok: Scalars['Boolean']['output'];
};

export type CreateApiKeyInput = {
  budgetCurrency?: InputMaybe<Scalars['String']['input']>;
  budgetNanos?: InputMaybe<Scalars['BigInt']['input']>;
  dailyCapNanos?: InputMaybe<Scalars['BigInt']['input']>;
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  modelAllowlist?: InputMaybe<Array<Scalars['String']['input']>>;
  name: Scalars['String']['input'];
  /** Defaults to the caller’s organization. */
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  rpmLimit?: InputMaybe<Scalars['Int']['input']>;
  scopes: Array<ApiScope>;
  /** A team the user is a member of. */
  teamId?: InputMaybe<Scalars['ID']['input']>;
  tpmLimit?: InputMaybe<Scalars['Int']['input']>;
  /** Defaults to the caller. */
  userId?: InputMaybe<Scalars['ID']['input']>;
};

export type CreateOrganizationInput = {
  name: Scalars['String']['input'];
  /** Creates (or links) this user as owner. */
  ownerEmail?: InputMaybe<Scalars['String']['input']>;
  ownerName?: InputMaybe<Scalars['String']['input']>;
  /** Unique; lowercase letters, digits and dashes. */
  slug: Scalars['String']['input'];
};

export type CreatePlanInput = {
  code: Scalars['String']['input'];
  dailyLimits?: InputMaybe<Array<DailyLimitInput>>;
  degradeMap?: InputMaybe<Scalars['JSON']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  graceNanos?: InputMaybe<Scalars['BigInt']['input']>;
  gracePercent?: InputMaybe<Scalars['Int']['input']>;
  kind: PlanKind;
  name: Scalars['String']['input'];
  overflowPolicy?: InputMaybe<OverflowPolicy>;
  /** Default +08:00. */
  timeZone?: InputMaybe<Scalars['String']['input']>;
  /** Usage plans: the currency they bill in. */
  usageCurrency?: InputMaybe<Scalars['String']['input']>;
  /** Default private. */
  visibility?: InputMaybe<PlanVisibility>;
  /** Percentages; default [80]. */
  warnThresholds?: InputMaybe<Array<Scalars['Int']['input']>>;
};

export type CreatePriceRuleInput = {
  audioNanosPerSecond?: InputMaybe<Scalars['BigInt']['input']>;
  baseNanosPerToken: Scalars['BigInt']['input'];
  cachedInputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  /** ISO 4217, uppercase. */
  currency: Scalars['String']['input'];
  /** Default: now. */
  effectiveFrom?: InputMaybe<Scalars['DateTime']['input']>;
  effectiveTo?: InputMaybe<Scalars['DateTime']['input']>;
  imageNanosPerUnit?: InputMaybe<Scalars['BigInt']['input']>;
  inputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  /** A model name, or a glob such as `gpt-4o*` or `*`. */
  modelPattern: Scalars['String']['input'];
  outputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  /** A plan whose callers get this price instead of the global one. */
  planId?: InputMaybe<Scalars['ID']['input']>;
  /** Higher wins among matching rules (default 0). */
  precedence?: InputMaybe<Scalars['Int']['input']>;
  requestFeeNanos?: InputMaybe<Scalars['BigInt']['input']>;
};

export type CreateTeamInput = {
  name: Scalars['String']['input'];
  organizationId: Scalars['ID']['input'];
};

export type CreateTopUpInput = {
  /** In the currency minor units (cents; yen). */
  amount: Scalars['BigInt']['input'];
  currency: Scalars['String']['input'];
  idempotencyKey: Scalars['String']['input'];
  /** Platform admins only; API keys use their own. */
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  /** Default: the organization wallet. */
  owner?: InputMaybe<TopUpOwnerInput>;
  provider?: InputMaybe<Scalars['String']['input']>;
  returnUrl?: InputMaybe<Scalars['String']['input']>;
};

export type CreateUserInput = {
  email: Scalars['String']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  organizationId: Scalars['ID']['input'];
  role: OrganizationRole;
};

export type CreateWebhookEndpointInput = {
  /** Empty or absent = every type. */
  eventTypes?: InputMaybe<Array<NotificationType>>;
  organizationId: Scalars['ID']['input'];
  url: Scalars['String']['input'];
};

export type DailyLimit = {
  __typename?: 'DailyLimit';
  currency?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Nano-units for cost, else a count. */
  limitValue: Scalars['BigInt']['output'];
  metric: LimitMetric;
  /** Only this (served) model counts; null = all. */
  model?: Maybe<Scalars['String']['output']>;
};

export type DailyLimitInput = {
  /** Required for cost limits. */
  currency?: InputMaybe<Scalars['String']['input']>;
  limitValue: Scalars['BigInt']['input'];
  metric: LimitMetric;
  model?: InputMaybe<Scalars['String']['input']>;
};

export type EffectivePlan = {
  __typename?: 'EffectivePlan';
  assignment: PlanAssignment;
  plan: Plan;
};

export type GrantCreditsInput = {
  /** Amount in nano-units (10^9 per major unit), positive. */
  amountNanos: Scalars['BigInt']['input'];
  idempotencyKey: Scalars['String']['input'];
  /** Why: kept on the transaction and in the audit log. */
  reason: Scalars['String']['input'];
  wallet?: InputMaybe<WalletOwnerInput>;
  /** The wallet; or give `wallet`. */
  walletId?: InputMaybe<Scalars['ID']['input']>;
};

export type Health = {
  __typename?: 'Health';
  components: Array<ComponentStatus>;
  /** An upstream circuit breaker is not closed (the gateway is up, an upstream is failing). */
  degraded: Scalars['Boolean']['output'];
  ok: Scalars['Boolean']['output'];
};

export type LagoReconciliation = {
  __typename?: 'LagoReconciliation';
  differenceCount: Scalars['Int']['output'];
  from: Scalars['DateTime']['output'];
  rows: Array<LagoReconciliationRow>;
  to: Scalars['DateTime']['output'];
};

export type LagoReconciliationDifference = {
  __typename?: 'LagoReconciliationDifference';
  detail: Scalars['String']['output'];
  kind: LagoReconciliationKind;
  reference: Scalars['String']['output'];
};

export enum LagoReconciliationKind {
  RefundMissingInLago = 'REFUND_MISSING_IN_LAGO',
  TopupMissingInLago = 'TOPUP_MISSING_IN_LAGO',
  TopupUnsettledInLago = 'TOPUP_UNSETTLED_IN_LAGO',
  UsageMismatch = 'USAGE_MISMATCH',
  UsageMissingInLago = 'USAGE_MISSING_IN_LAGO',
  UsageNotDelivered = 'USAGE_NOT_DELIVERED'
}

/** Tollgate vs Lago for one Lago customer and UTC day. */
export type LagoReconciliationRow = {
  __typename?: 'LagoReconciliationRow';
  costNanos: Scalars['BigInt']['output'];
  day: Scalars['String']['output'];
  differences: Array<LagoReconciliationDifference>;
  externalCustomerId: Scalars['String']['output'];
  refunds: Scalars['Int']['output'];
  refundsConfirmed: Scalars['Int']['output'];
  topUps: Scalars['Int']['output'];
  topUpsConfirmed: Scalars['Int']['output'];
  totalTokens: Scalars['Int']['output'];
  usageChecked: Scalars['Int']['output'];
  usageConfirmed: Scalars['Int']['output'];
  usageDelivered: Scalars['Int']['output'];
  usageRecords: Scalars['Int']['output'];
};

export type LedgerAccountMismatch = {
  __typename?: 'LedgerAccountMismatch';
  accountId: Scalars['String']['output'];
  balanceNanos: Scalars['BigInt']['output'];
  entriesSumNanos: Scalars['BigInt']['output'];
};

export type LedgerConsistency = {
  __typename?: 'LedgerConsistency';
  accountMismatches: Array<LedgerAccountMismatch>;
  ok: Scalars['Boolean']['output'];
  transactionsChecked: Scalars['Int']['output'];
  unbalancedTransactions: Array<UnbalancedLedgerTransaction>;
  walletMismatches: Array<WalletLedgerMismatch>;
  walletsChecked: Scalars['Int']['output'];
};

/** One signed line of a ledger transaction on a wallet (positive credits the wallet). */
export type LedgerEntry = {
  __typename?: 'LedgerEntry';
  amount: Money;
  createdAt: Scalars['DateTime']['output'];
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  reason: LedgerReason;
  transactionId: Scalars['String']['output'];
};

export enum LedgerReason {
  Adjustment = 'ADJUSTMENT',
  Grant = 'GRANT',
  Refund = 'REFUND',
  Reversal = 'REVERSAL',
  Topup = 'TOPUP',
  Usage = 'USAGE'
}

/** A daily limit crossed a warning threshold, was reached, or reset with a new plan day. */
export type LimitChanged = {
  __typename?: 'LimitChanged';
  currency?: Maybe<Scalars['String']['output']>;
  day?: Maybe<Scalars['String']['output']>;
  /** warning | reached | reset */
  kind: Scalars['String']['output'];
  limit: Scalars['BigInt']['output'];
  metric: Scalars['String']['output'];
  model?: Maybe<Scalars['String']['output']>;
  organizationId: Scalars['ID']['output'];
  resetsAt: Scalars['DateTime']['output'];
  subjectId: Scalars['ID']['output'];
  subjectType: Scalars['String']['output'];
  thresholdPercent?: Maybe<Scalars['Int']['output']>;
  used: Scalars['BigInt']['output'];
};

export enum LimitMetric {
  Cost = 'COST',
  Requests = 'REQUESTS',
  Tokens = 'TOKENS'
}

export type LimitUsage = {
  __typename?: 'LimitUsage';
  currency?: Maybe<Scalars['String']['output']>;
  limit: Scalars['BigInt']['output'];
  metric: LimitMetric;
  model?: Maybe<Scalars['String']['output']>;
  remaining: Scalars['BigInt']['output'];
  /** Settled usage plus open reservations. */
  used: Scalars['BigInt']['output'];
};

export type LiteLlmDrift = {
  __typename?: 'LiteLLMDrift';
  direction: LiteLlmDriftDirection;
  /** LiteLLM − Tollgate. */
  driftNanos: Scalars['BigInt']['output'];
  /** By how much they disagree: |LiteLLM − Tollgate| as an exact USD decimal. */
  driftUsd: Scalars['String']['output'];
  entityId: Scalars['ID']['output'];
  entityType: Scalars['String']['output'];
  litellmSpendNanos: Scalars['BigInt']['output'];
  /** As LiteLLM reported it (USD). */
  litellmSpendUsd: Scalars['String']['output'];
  /** USD usage records. */
  tollgateUsageNanos: Scalars['BigInt']['output'];
};

/** Which way LiteLLM disagrees with Tollgate. */
export enum LiteLlmDriftDirection {
  /** LiteLLM recorded spend Tollgate never billed (calls made straight to LiteLLM, or LiteLLM prices above Tollgate prices). */
  LitellmHigher = 'LITELLM_HIGHER',
  /** They agree. */
  None = 'NONE',
  /** Tollgate billed more than LiteLLM recorded (Tollgate prices above LiteLLM's, or spend LiteLLM has not written yet). */
  TollgateHigher = 'TOLLGATE_HIGHER'
}

export type Membership = Node & {
  __typename?: 'Membership';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  organization: Organization;
  role: OrganizationRole;
  user: User;
};

export type MembershipInput = {
  organizationId: Scalars['ID']['input'];
  role: OrganizationRole;
  userId: Scalars['ID']['input'];
};

export type Money = {
  __typename?: 'Money';
  amount: Scalars['BigInt']['output'];
  currency: Scalars['String']['output'];
  unit: MoneyUnit;
};

/** NANO = 10^-9 of the major unit (wallets, usage); MINOR = the currency minor unit (payments). */
export enum MoneyUnit {
  Minor = 'MINOR',
  Nano = 'NANO'
}

export type Mutation = {
  __typename?: 'Mutation';
  /** Platform admin: adds an existing user to an organization (others use createUser). */
  addMember: Membership;
  /** Admin or owner; the user must be a member of the organization. */
  addTeamMember: Team;
  /** Posts a signed correction against system adjustments (platform admin; idempotent; audited). */
  adjustWallet: WalletPostingPayload;
  /** Assigns a plan to an organization or one of its teams, users or API keys. A platform admin assigns any plan, and only a platform admin can then change, end or replace that assignment; the organization's owner/admin assigns a plan visible to it (availablePlans; others answer NOT_FOUND), never over a platform admin's assignment (PLAN_ASSIGNMENT_LOCKED). */
  assignPlan: PlanAssignment;
  /** Own keys for everyone; an admin/owner for any non-owner (owner: anyone). Scopes ⊆ the caller’s. */
  createApiKey: ApiKeySecretPayload;
  /** Platform admin only. */
  createOrganization: Organization;
  /** VALIDATION_FAILED for an unknown time zone, bad limits, or a degrade target that is not priced (platform admin). */
  createPlan: Plan;
  /** VALIDATION_FAILED for negative prices, an unknown currency or an overlapping rule of equal precedence (platform admin). */
  createPriceRule: PriceRule;
  /** Admin or owner. */
  createTeam: Team;
  /** Starts a wallet top-up: an order and a provider payment. Idempotent per organization and idempotencyKey. Requires the billing scope. */
  createTopUp: TopUp;
  /** Admin or owner (only an owner adds an owner). Always a new user, whether or not the email is used in another organization (the answer does not tell); an email a member of this organization has is a CONFLICT. */
  createUser: User;
  /** Registers an endpoint; the signing secret is in this response only (owner/admin). */
  createWebhookEndpoint: WebhookEndpointSecret;
  /** Owner. Soft delete: revokes every key and deletes the teams. */
  deleteOrganization: Organization;
  /** Removes an assignment; returns its id (platform admin, or the organization owner/admin for the organization's own assignments: PLAN_ASSIGNMENT_LOCKED otherwise). */
  deletePlanAssignment: Scalars['ID']['output'];
  /** Deletes a rule that has not taken effect yet; returns its id (platform admin). */
  deletePriceRule: Scalars['ID']['output'];
  /** Removes the settings of one scope (platform admin). */
  deleteRiskSettings: Scalars['Boolean']['output'];
  /** Admin or owner. Refused while the team has active keys (TEAM_HAS_KEYS). */
  deleteTeam: Team;
  /** Platform admin, or an admin/owner for a user in no other organization. */
  deleteUser: User;
  /** Removes the endpoint; its queued deliveries are dead-lettered. */
  deleteWebhookEndpoint: Scalars['Boolean']['output'];
  /** Credits a wallet from promotions (platform admin; idempotent; audited). */
  grantCredits: WalletPostingPayload;
  /** Lets an organization assign a private plan to itself (platform admin; idempotent). */
  grantPlan: Plan;
  /** Refunds part or all of a succeeded payment through its provider; the wallet is debited when the provider confirms. Platform admins, or organization owners with the billing scope. */
  refundPayment: Refund;
  /** Releases the credit of a payment frozen for risk review (platform admin). */
  releasePaymentReview: Payment;
  /** Admin or owner (admins not on owners). Revokes the user’s keys in the organization. */
  removeMember: Scalars['Boolean']['output'];
  /** Admin or owner. */
  removeTeamMember: Team;
  /** Puts a dead or pending delivery back in line for an immediate attempt (platform admin). */
  replayDelivery: OutboxMessage;
  /** Puts a dead or pending delivery back in line for an immediate attempt. */
  replayWebhookDelivery: WebhookDelivery;
  /** Pushes the LiteLLM backstop (every mirrored key's max_budget) of one USD wallet, or of all USD wallets, now (platform admin). Returns how many wallets were queued; the outbox delivers them. */
  resyncLiteLLMBudgets: Scalars['Int']['output'];
  revokeApiKey: ApiKey;
  /** Takes back a grant; assignments already made stay until they end (platform admin; idempotent). */
  revokePlanGrant: Plan;
  rotateApiKey: ApiKeySecretPayload;
  /** A new signing secret; the old one keeps signing for graceSeconds (default WEBHOOK_SECRET_ROTATION_GRACE_SECONDS). */
  rotateWebhookSecret: WebhookEndpointSecret;
  /** Ends the rule at effectiveFrom and starts a copy with the new prices there; returns the new rule (platform admin). */
  schedulePriceChange: PriceRule;
  /** Replaces the settings of one scope, validated; every gateway process picks them up at once (platform admin). */
  setRiskSettings: RiskSetting;
  updateApiKey: ApiKey;
  /** Owner: any role; admin: member ↔ admin only. The last owner cannot be demoted. */
  updateMembership: Membership;
  /** Email recipients, event types and balance thresholds of an organization (owner/admin). */
  updateNotificationSettings: Scalars['JSON']['output'];
  /** Owner. */
  updateOrganization: Organization;
  /** Same validation as createPlan; status archived takes the plan out of effect (platform admin). */
  updatePlan: Plan;
  /** Moves an assignment window, e.g. ends it (platform admin, or the organization owner/admin for the organization's own assignments: PLAN_ASSIGNMENT_LOCKED otherwise). */
  updatePlanAssignment: PlanAssignment;
  /** Changes precedence or window (e.g. ends a rule); prices only before the rule takes effect (platform admin). */
  updatePriceRule: PriceRule;
  /** Admin or owner. */
  updateTeam: Team;
  /** The user itself or a platform admin; an admin/owner of its organization (admins not on owners) only for a user in no other organization (USER_PROFILE_NOT_OWNED). */
  updateUser: User;
  updateWebhookEndpoint: WebhookEndpoint;
};


export type MutationAddMemberArgs = {
  input: MembershipInput;
};


export type MutationAddTeamMemberArgs = {
  input: TeamMemberInput;
};


export type MutationAdjustWalletArgs = {
  input: AdjustWalletInput;
};


export type MutationAssignPlanArgs = {
  input: AssignPlanInput;
};


export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


export type MutationCreateOrganizationArgs = {
  input: CreateOrganizationInput;
};


export type MutationCreatePlanArgs = {
  input: CreatePlanInput;
};


export type MutationCreatePriceRuleArgs = {
  input: CreatePriceRuleInput;
};


export type MutationCreateTeamArgs = {
  input: CreateTeamInput;
};


export type MutationCreateTopUpArgs = {
  input: CreateTopUpInput;
};


export type MutationCreateUserArgs = {
  input: CreateUserInput;
};


export type MutationCreateWebhookEndpointArgs = {
  input: CreateWebhookEndpointInput;
};


export type MutationDeleteOrganizationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePlanAssignmentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePriceRuleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteRiskSettingsArgs = {
  scopeId?: InputMaybe<Scalars['String']['input']>;
  scopeType: RiskScopeType;
};


export type MutationDeleteTeamArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteUserArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


export type MutationGrantCreditsArgs = {
  input: GrantCreditsInput;
};


export type MutationGrantPlanArgs = {
  organizationId: Scalars['ID']['input'];
  planId: Scalars['ID']['input'];
};


export type MutationRefundPaymentArgs = {
  input: RefundPaymentInput;
};


export type MutationReleasePaymentReviewArgs = {
  paymentId: Scalars['ID']['input'];
};


export type MutationRemoveMemberArgs = {
  input: RemoveMemberInput;
};


export type MutationRemoveTeamMemberArgs = {
  input: TeamMemberInput;
};


export type MutationReplayDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReplayWebhookDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationResyncLiteLlmBudgetsArgs = {
  walletId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokePlanGrantArgs = {
  organizationId: Scalars['ID']['input'];
  planId: Scalars['ID']['input'];
};


export type MutationRotateApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRotateWebhookSecretArgs = {
  graceSeconds?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationSchedulePriceChangeArgs = {
  id: Scalars['ID']['input'];
  input: PriceChangeInput;
};


export type MutationSetRiskSettingsArgs = {
  scopeId?: InputMaybe<Scalars['String']['input']>;
  scopeType: RiskScopeType;
  settings: Scalars['JSON']['input'];
};


export type MutationUpdateApiKeyArgs = {
  input: UpdateApiKeyInput;
};


export type MutationUpdateMembershipArgs = {
  input: MembershipInput;
};


export type MutationUpdateNotificationSettingsArgs = {
  input: NotificationSettingsInput;
  organizationId: Scalars['ID']['input'];
};


export type MutationUpdateOrganizationArgs = {
  input: UpdateOrganizationInput;
};


export type MutationUpdatePlanArgs = {
  id: Scalars['ID']['input'];
  input: UpdatePlanInput;
};


export type MutationUpdatePlanAssignmentArgs = {
  effectiveFrom?: InputMaybe<Scalars['DateTime']['input']>;
  effectiveTo?: InputMaybe<Scalars['DateTime']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationUpdatePriceRuleArgs = {
  id: Scalars['ID']['input'];
  input: UpdatePriceRuleInput;
};


export type MutationUpdateTeamArgs = {
  input: UpdateTeamInput;
};


export type MutationUpdateUserArgs = {
  input: UpdateUserInput;
};


export type MutationUpdateWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
  input: UpdateWebhookEndpointInput;
};

export type Node = {
  id: Scalars['ID']['output'];
};

/** A notification raised once per crossing (docs/risk-and-notifications.md lists the types). */
export type Notification = Node & {
  __typename?: 'Notification';
  createdAt: Scalars['DateTime']['output'];
  dedupeKey: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  organizationId?: Maybe<Scalars['String']['output']>;
  payload: Scalars['JSON']['output'];
  type: NotificationType;
};

/** A notification as subscribers and webhooks receive it. */
export type NotificationEvent = {
  __typename?: 'NotificationEvent';
  createdAt: Scalars['DateTime']['output'];
  data: Scalars['JSON']['output'];
  id: Scalars['String']['output'];
  organizationId?: Maybe<Scalars['String']['output']>;
  type: NotificationType;
};

/** Fields left out keep their value; an empty list clears one. */
export type NotificationSettingsInput = {
  balanceLowThresholds?: InputMaybe<Array<BalanceThresholdByCurrencyInput>>;
  emailEventTypes?: InputMaybe<Array<NotificationType>>;
  emailRecipients?: InputMaybe<Array<Scalars['String']['input']>>;
  keyExpiringDays?: InputMaybe<Scalars['Int']['input']>;
  walletBalanceLowThresholds?: InputMaybe<Array<BalanceThresholdByWalletInput>>;
};

export enum NotificationType {
  BalanceLow = 'BALANCE_LOW',
  DailyLimitReached = 'DAILY_LIMIT_REACHED',
  DailyLimitWarning = 'DAILY_LIMIT_WARNING',
  DisputeOpened = 'DISPUTE_OPENED',
  KeyExpiring = 'KEY_EXPIRING',
  PaymentFailed = 'PAYMENT_FAILED',
  PaymentReviewRequired = 'PAYMENT_REVIEW_REQUIRED',
  PaymentSucceeded = 'PAYMENT_SUCCEEDED',
  RateLimitSustained = 'RATE_LIMIT_SUSTAINED',
  RefundSucceeded = 'REFUND_SUCCEEDED',
  SpendVelocityBreach = 'SPEND_VELOCITY_BREACH'
}

export type Organization = Node & {
  __typename?: 'Organization';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  memberships: OrganizationMembershipsConnection;
  name: Scalars['String']['output'];
  slug: Scalars['String']['output'];
  status: Scalars['String']['output'];
  teams: OrganizationTeamsConnection;
};


export type OrganizationMembershipsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type OrganizationTeamsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type OrganizationMembershipsConnection = {
  __typename?: 'OrganizationMembershipsConnection';
  edges: Array<OrganizationMembershipsConnectionEdge>;
  pageInfo: PageInfo;
};

export type OrganizationMembershipsConnectionEdge = {
  __typename?: 'OrganizationMembershipsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Membership;
};

/** A user’s role in an organization (platform admin is a user flag, not a role). */
export enum OrganizationRole {
  Admin = 'ADMIN',
  Member = 'MEMBER',
  Owner = 'OWNER'
}

export type OrganizationTeamsConnection = {
  __typename?: 'OrganizationTeamsConnection';
  edges: Array<OrganizationTeamsConnectionEdge>;
  pageInfo: PageInfo;
};

export type OrganizationTeamsConnectionEdge = {
  __typename?: 'OrganizationTeamsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Team;
};

export type OutboxMessage = Node & {
  __typename?: 'OutboxMessage';
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  deliveredAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  nextAttemptAt: Scalars['DateTime']['output'];
  orderingKey?: Maybe<Scalars['String']['output']>;
  payload: Scalars['JSON']['output'];
  requestId?: Maybe<Scalars['String']['output']>;
  status: OutboxStatus;
  topic: Scalars['String']['output'];
};

export enum OutboxStatus {
  Dead = 'DEAD',
  Delivered = 'DELIVERED',
  Pending = 'PENDING',
  Processing = 'PROCESSING'
}

/** What happens past a daily limit: BLOCK (429 DAILY_LIMIT_EXCEEDED), GRACE (allow up to graceNanos / gracePercent more, marked graced), DEGRADE (serve degradeMap[model] instead). */
export enum OverflowPolicy {
  Block = 'BLOCK',
  Degrade = 'DEGRADE',
  Grace = 'GRACE'
}

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Payment = Node & {
  __typename?: 'Payment';
  amount: Money;
  amountRefunded: Money;
  createdAt: Scalars['DateTime']['output'];
  failureCode?: Maybe<Scalars['String']['output']>;
  failureMessage?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  orderId: Scalars['String']['output'];
  provider: Scalars['String']['output'];
  providerTxnId?: Maybe<Scalars['String']['output']>;
  refunds: Array<Refund>;
  riskLevel?: Maybe<Scalars['String']['output']>;
  status: PaymentStatus;
  succeededAt?: Maybe<Scalars['DateTime']['output']>;
  underReview: Scalars['Boolean']['output'];
  walletId: Scalars['String']['output'];
};

export enum PaymentStatus {
  Canceled = 'CANCELED',
  Created = 'CREATED',
  Failed = 'FAILED',
  Processing = 'PROCESSING',
  RequiresAction = 'REQUIRES_ACTION',
  Succeeded = 'SUCCEEDED'
}

export type Plan = Node & {
  __typename?: 'Plan';
  code: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  dailyLimits: Array<DailyLimit>;
  /** Requested model → cheaper model. */
  degradeMap: Scalars['JSON']['output'];
  description?: Maybe<Scalars['String']['output']>;
  graceNanos?: Maybe<Scalars['BigInt']['output']>;
  gracePercent?: Maybe<Scalars['Int']['output']>;
  /** Organizations a private plan is granted to (platform admin). */
  grantedOrganizationIds: Array<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  kind: PlanKind;
  name: Scalars['String']['output'];
  overflowPolicy: OverflowPolicy;
  priceRules: Array<PriceRule>;
  status: PlanStatus;
  /** Fixed offset (+08:00) or IANA name; days reset at its midnight. */
  timeZone: Scalars['String']['output'];
  usageCurrency?: Maybe<Scalars['String']['output']>;
  visibility: PlanVisibility;
  warnThresholds: Array<Scalars['Int']['output']>;
};

/** PLATFORM: made by a platform admin, and only a platform admin changes, ends or replaces it. */
export enum PlanAssignedBy {
  Organization = 'ORGANIZATION',
  Platform = 'PLATFORM'
}

export type PlanAssignment = Node & {
  __typename?: 'PlanAssignment';
  assignedBy: PlanAssignedBy;
  createdAt: Scalars['DateTime']['output'];
  effectiveFrom: Scalars['DateTime']['output'];
  effectiveTo?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  organizationId: Scalars['ID']['output'];
  plan: Plan;
  subjectId: Scalars['ID']['output'];
  subjectType: PlanSubjectType;
};

/** DAILY_LIMIT: limits per calendar day in the plan time zone; USAGE: pay-as-you-go with the price rules. */
export enum PlanKind {
  DailyLimit = 'DAILY_LIMIT',
  Usage = 'USAGE'
}

export enum PlanStatus {
  Active = 'ACTIVE',
  Archived = 'ARCHIVED'
}

/** Most specific wins: API_KEY > USER > TEAM > ORGANIZATION. */
export enum PlanSubjectType {
  ApiKey = 'API_KEY',
  Organization = 'ORGANIZATION',
  Team = 'TEAM',
  User = 'USER'
}

/** PUBLIC: every organization may assign it to itself; PRIVATE: only organizations a platform admin granted it to. */
export enum PlanVisibility {
  Private = 'PRIVATE',
  Public = 'PUBLIC'
}

export type PriceChangeInput = {
  audioNanosPerSecond?: InputMaybe<Scalars['BigInt']['input']>;
  baseNanosPerToken?: InputMaybe<Scalars['BigInt']['input']>;
  cachedInputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  effectiveFrom: Scalars['DateTime']['input'];
  imageNanosPerUnit?: InputMaybe<Scalars['BigInt']['input']>;
  inputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  outputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  requestFeeNanos?: InputMaybe<Scalars['BigInt']['input']>;
};

/** EXACT: the model name equals the pattern; GLOB: `*` matches any run, `?` one character. */
export enum PriceMatchType {
  Exact = 'EXACT',
  Glob = 'GLOB'
}

/** The exact cost of a request with the given usage, under the rule that would price it. */
export type PriceQuote = {
  __typename?: 'PriceQuote';
  costNanos: Scalars['BigInt']['output'];
  currency: Scalars['String']['output'];
  model: Scalars['String']['output'];
  rule: PriceRule;
};

/** A price for models matching a pattern, in one currency, during [effectiveFrom, effectiveTo). Amounts in nano-units (10^9 per major unit); multipliers in parts per million. */
export type PriceRule = Node & {
  __typename?: 'PriceRule';
  audioNanosPerSecond?: Maybe<Scalars['BigInt']['output']>;
  baseNanosPerToken: Scalars['BigInt']['output'];
  cachedInputMultiplierPpm: Scalars['BigInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['String']['output'];
  effectiveFrom: Scalars['DateTime']['output'];
  effectiveTo?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  imageNanosPerUnit?: Maybe<Scalars['BigInt']['output']>;
  inputMultiplierPpm: Scalars['BigInt']['output'];
  matchType: PriceMatchType;
  modelPattern: Scalars['String']['output'];
  outputMultiplierPpm: Scalars['BigInt']['output'];
  /** Only callers on this plan get this price (a discount tier); null = global. */
  plan?: Maybe<Plan>;
  precedence: Scalars['Int']['output'];
  requestFeeNanos: Scalars['BigInt']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** API keys: a member sees its own, an admin or owner every key of the organization, a platform admin any (filter by organizationId). */
  apiKeys: QueryApiKeysConnection;
  /** Active plans the organization may assign to itself: public ones and private ones granted to it (own organization; any for a platform admin). */
  availablePlans: Array<Plan>;
  /** The plan that applies (most specific assignment: api_key > user > team > organization). API keys see their own; naming other subjects of the organization needs the admin role. */
  effectivePlan?: Maybe<EffectivePlan>;
  /** Defaults and every layer merged, as enforced for this organization (and user/key) (owner/admin). */
  effectiveRiskSettings: Scalars['JSON']['output'];
  /** Readiness of the gateway and the services it depends on (same as GET /readyz). */
  health: Health;
  /** Compares usage records, top-ups and refunds with what Lago acknowledged, per customer and UTC day (platform admin). */
  lagoReconciliation: LagoReconciliation;
  /** Proves the caches against the ledger: every wallet balance equals the sum of its entries, held equals its active holds, every transaction sums to zero (platform admin). Healthy = empty lists. */
  ledgerConsistency: LedgerConsistency;
  /** LiteLLM spend vs Tollgate USD usage per mapped organization (keys without a team), team and user (platform admin). Queries LiteLLM now. */
  litellmDrift: Array<LiteLlmDrift>;
  node?: Maybe<Node>;
  nodes: Array<Maybe<Node>>;
  /** The organization’s notifications, newest first (owner/admin). */
  notifications: QueryNotificationsConnection;
  /** An organization the caller belongs to (any for a platform admin). */
  organization: Organization;
  /** Every organization for a platform admin; the caller’s own otherwise. */
  organizations: QueryOrganizationsConnection;
  /** Deliveries to external systems (platform admin). */
  outboxDeliveries: QueryOutboxDeliveriesConnection;
  /** Payments visible to the caller, newest first. */
  payments: QueryPaymentsConnection;
  /** An organization's plan assignments (platform admin, or a member of the organization). */
  planAssignments: Array<PlanAssignment>;
  /** Every plan (platform admin). */
  plans: Array<Plan>;
  /** Prices a request: the caller's plan rules first (a platform admin may name a plan). MODEL_NOT_PRICED when no rule matches. `cachedTokens` are part of `promptTokens`, as OpenAI reports them. */
  priceQuote: PriceQuote;
  /** Price rules, newest first (platform admin). */
  priceRules: Array<PriceRule>;
  /** Stored settings of one scope: any for platform admins; organization owners/admins see their organization’s. */
  riskSettings: RiskSetting;
  /** Use of each daily limit of the effective plan in the current plan day; null without a daily-limit plan. */
  todayUsage?: Maybe<TodayUsage>;
  /** Requests, tokens and cost per day and/or model for the caller’s scope (same visibility as usageRecords). */
  usageAggregates: Array<UsageAggregate>;
  /** Proxied requests visible to the caller (read scope; members see their own), newest first. */
  usageRecords: QueryUsageRecordsConnection;
  /** The authenticated caller. */
  viewer: Viewer;
  /** Wallets the caller may see: a platform admin any (optionally one organization's); an API key its organization's (members: the organization wallet, their own and their teams'). */
  wallets: QueryWalletsConnection;
  /** Delivery log of one endpoint, newest first (owner/admin). */
  webhookDeliveries: QueryWebhookDeliveriesConnection;
  /** The organization’s webhook endpoints (owner/admin). */
  webhookEndpoints: Array<WebhookEndpoint>;
};


export type QueryApiKeysArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  includeRevoked?: InputMaybe<Scalars['Boolean']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryAvailablePlansArgs = {
  organizationId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryEffectivePlanArgs = {
  apiKeyId?: InputMaybe<Scalars['ID']['input']>;
  at?: InputMaybe<Scalars['DateTime']['input']>;
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  teamId?: InputMaybe<Scalars['ID']['input']>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryEffectiveRiskSettingsArgs = {
  apiKeyId?: InputMaybe<Scalars['String']['input']>;
  organizationId: Scalars['ID']['input'];
  userId?: InputMaybe<Scalars['String']['input']>;
};


export type QueryLagoReconciliationArgs = {
  from: Scalars['DateTime']['input'];
  samplePerDay?: InputMaybe<Scalars['Int']['input']>;
  to: Scalars['DateTime']['input'];
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QueryNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  organizationId: Scalars['ID']['input'];
  types?: InputMaybe<Array<NotificationType>>;
};


export type QueryOrganizationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrganizationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryOutboxDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<OutboxStatus>>;
  topic?: InputMaybe<Scalars['String']['input']>;
};


export type QueryPaymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<Array<PaymentStatus>>;
};


export type QueryPlanAssignmentsArgs = {
  organizationId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryPlansArgs = {
  status?: InputMaybe<PlanStatus>;
};


export type QueryPriceQuoteArgs = {
  at?: InputMaybe<Scalars['DateTime']['input']>;
  cachedTokens?: InputMaybe<Scalars['Int']['input']>;
  completionTokens: Scalars['Int']['input'];
  currency: Scalars['String']['input'];
  model: Scalars['String']['input'];
  planId?: InputMaybe<Scalars['ID']['input']>;
  promptTokens: Scalars['Int']['input'];
};


export type QueryPriceRulesArgs = {
  currency?: InputMaybe<Scalars['String']['input']>;
  modelPattern?: InputMaybe<Scalars['String']['input']>;
  planId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryRiskSettingsArgs = {
  scopeId?: InputMaybe<Scalars['String']['input']>;
  scopeType: RiskScopeType;
};


export type QueryTodayUsageArgs = {
  apiKeyId?: InputMaybe<Scalars['ID']['input']>;
  at?: InputMaybe<Scalars['DateTime']['input']>;
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  teamId?: InputMaybe<Scalars['ID']['input']>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryUsageAggregatesArgs = {
  filter?: InputMaybe<UsageFilter>;
  groupBy: UsageGrouping;
  timeZone?: InputMaybe<Scalars['String']['input']>;
};


export type QueryUsageRecordsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UsageFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryWalletsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  organizationId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryWebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  endpointId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<WebhookDeliveryStatus>>;
};


export type QueryWebhookEndpointsArgs = {
  organizationId: Scalars['ID']['input'];
};

export type QueryApiKeysConnection = {
  __typename?: 'QueryApiKeysConnection';
  edges: Array<QueryApiKeysConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryApiKeysConnectionEdge = {
  __typename?: 'QueryApiKeysConnectionEdge';
  cursor: Scalars['String']['output'];
  node: ApiKey;
};

export type QueryNotificationsConnection = {
  __typename?: 'QueryNotificationsConnection';
  edges: Array<QueryNotificationsConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryNotificationsConnectionEdge = {
  __typename?: 'QueryNotificationsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Notification;
};

export type QueryOrganizationsConnection = {
  __typename?: 'QueryOrganizationsConnection';
  edges: Array<QueryOrganizationsConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryOrganizationsConnectionEdge = {
  __typename?: 'QueryOrganizationsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Organization;
};

export type QueryOutboxDeliveriesConnection = {
  __typename?: 'QueryOutboxDeliveriesConnection';
  edges: Array<QueryOutboxDeliveriesConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryOutboxDeliveriesConnectionEdge = {
  __typename?: 'QueryOutboxDeliveriesConnectionEdge';
  cursor: Scalars['String']['output'];
  node: OutboxMessage;
};

export type QueryPaymentsConnection = {
  __typename?: 'QueryPaymentsConnection';
  edges: Array<QueryPaymentsConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryPaymentsConnectionEdge = {
  __typename?: 'QueryPaymentsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Payment;
};

export type QueryUsageRecordsConnection = {
  __typename?: 'QueryUsageRecordsConnection';
  edges: Array<QueryUsageRecordsConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryUsageRecordsConnectionEdge = {
  __typename?: 'QueryUsageRecordsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: UsageRecord;
};

export type QueryWalletsConnection = {
  __typename?: 'QueryWalletsConnection';
  edges: Array<QueryWalletsConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryWalletsConnectionEdge = {
  __typename?: 'QueryWalletsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Wallet;
};

export type QueryWebhookDeliveriesConnection = {
  __typename?: 'QueryWebhookDeliveriesConnection';
  edges: Array<QueryWebhookDeliveriesConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryWebhookDeliveriesConnectionEdge = {
  __typename?: 'QueryWebhookDeliveriesConnectionEdge';
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

export type Refund = Node & {
  __typename?: 'Refund';
  amount: Money;
  createdAt: Scalars['DateTime']['output'];
  failureReason?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  providerRefundId?: Maybe<Scalars['String']['output']>;
  reason?: Maybe<Scalars['String']['output']>;
  status: RefundStatus;
  updatedAt: Scalars['DateTime']['output'];
};

export type RefundPaymentInput = {
  /** Minor units; omit to refund all that remains. */
  amount?: InputMaybe<Scalars['BigInt']['input']>;
  idempotencyKey: Scalars['String']['input'];
  paymentId: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};

export enum RefundStatus {
  Canceled = 'CANCELED',
  Failed = 'FAILED',
  Pending = 'PENDING',
  Succeeded = 'SUCCEEDED'
}

export type RemoveMemberInput = {
  organizationId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};

export enum RiskScopeType {
  ApiKey = 'API_KEY',
  Global = 'GLOBAL',
  Organization = 'ORGANIZATION',
  User = 'USER'
}

/** The risk settings stored for one scope (docs/risk-and-notifications.md lists every field). */
export type RiskSetting = {
  __typename?: 'RiskSetting';
  /** Empty for the global scope. */
  scopeId: Scalars['String']['output'];
  scopeType: RiskScopeType;
  /** null: nothing stored for this scope. */
  settings?: Maybe<Scalars['JSON']['output']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Balance and held amount of a wallet after every change (the caller must be able to see it). */
  balanceChanged: BalanceChanged;
  /** Daily-limit warnings of an organization's plans (own organization; any for a platform admin). */
  limitChanged: LimitChanged;
  /** Every notification of the organization as it is raised (owner/admin). */
  notificationReceived: NotificationEvent;
};


export type SubscriptionBalanceChangedArgs = {
  walletId: Scalars['ID']['input'];
};


export type SubscriptionLimitChangedArgs = {
  organizationId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionNotificationReceivedArgs = {
  organizationId: Scalars['ID']['input'];
};

export type Team = Node & {
  __typename?: 'Team';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  members: TeamMembersConnection;
  name: Scalars['String']['output'];
  organization: Organization;
  status: Scalars['String']['output'];
};


export type TeamMembersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type TeamMember = {
  __typename?: 'TeamMember';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  role: Scalars['String']['output'];
  team: Team;
  user: User;
};

export type TeamMemberInput = {
  teamId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};

export type TeamMembersConnection = {
  __typename?: 'TeamMembersConnection';
  edges: Array<TeamMembersConnectionEdge>;
  pageInfo: PageInfo;
};

export type TeamMembersConnectionEdge = {
  __typename?: 'TeamMembersConnectionEdge';
  cursor: Scalars['String']['output'];
  node: TeamMember;
};

export type TodayUsage = {
  __typename?: 'TodayUsage';
  /** YYYY-MM-DD in the plan time zone. */
  day: Scalars['String']['output'];
  limits: Array<LimitUsage>;
  plan: Plan;
  resetsAt: Scalars['DateTime']['output'];
  startsAt: Scalars['DateTime']['output'];
  subjectId: Scalars['ID']['output'];
  subjectType: PlanSubjectType;
};

/** What a front end needs to collect the payment (Stripe Payment Element or a redirect). */
export type TopUp = {
  __typename?: 'TopUp';
  clientSecret?: Maybe<Scalars['String']['output']>;
  idempotencyHit: Scalars['Boolean']['output'];
  orderId: Scalars['String']['output'];
  payment: Payment;
  /** The hosted top-up page (card and Alipay through Stripe), client secret in the fragment. */
  paymentPageUrl?: Maybe<Scalars['String']['output']>;
  publishableKey?: Maybe<Scalars['String']['output']>;
  redirectUrl?: Maybe<Scalars['String']['output']>;
  walletId: Scalars['String']['output'];
};

export type TopUpOwnerInput = {
  id: Scalars['ID']['input'];
  type: TopUpOwnerType;
};

export enum TopUpOwnerType {
  Organization = 'ORGANIZATION',
  Team = 'TEAM',
  User = 'USER'
}

export type UnbalancedLedgerTransaction = {
  __typename?: 'UnbalancedLedgerTransaction';
  currency: Scalars['String']['output'];
  sumNanos: Scalars['BigInt']['output'];
  transactionId: Scalars['String']['output'];
};

/** Omitted fields stay; null clears (name and scopes cannot be cleared). */
export type UpdateApiKeyInput = {
  budgetCurrency?: InputMaybe<Scalars['String']['input']>;
  budgetNanos?: InputMaybe<Scalars['BigInt']['input']>;
  dailyCapNanos?: InputMaybe<Scalars['BigInt']['input']>;
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  id: Scalars['ID']['input'];
  modelAllowlist?: InputMaybe<Array<Scalars['String']['input']>>;
  name?: InputMaybe<Scalars['String']['input']>;
  rpmLimit?: InputMaybe<Scalars['Int']['input']>;
  scopes?: InputMaybe<Array<ApiScope>>;
  tpmLimit?: InputMaybe<Scalars['Int']['input']>;
};

export type UpdateOrganizationInput = {
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  slug?: InputMaybe<Scalars['String']['input']>;
};

/** dailyLimits, when given, replaces the whole set. */
export type UpdatePlanInput = {
  code?: InputMaybe<Scalars['String']['input']>;
  dailyLimits?: InputMaybe<Array<DailyLimitInput>>;
  degradeMap?: InputMaybe<Scalars['JSON']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  graceNanos?: InputMaybe<Scalars['BigInt']['input']>;
  gracePercent?: InputMaybe<Scalars['Int']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  overflowPolicy?: InputMaybe<OverflowPolicy>;
  status?: InputMaybe<PlanStatus>;
  /** Default +08:00. */
  timeZone?: InputMaybe<Scalars['String']['input']>;
  /** Usage plans: the currency they bill in. */
  usageCurrency?: InputMaybe<Scalars['String']['input']>;
  /** Default private. */
  visibility?: InputMaybe<PlanVisibility>;
  /** Percentages; default [80]. */
  warnThresholds?: InputMaybe<Array<Scalars['Int']['input']>>;
};

/** Prices of a rule already in effect cannot change: use schedulePriceChange. */
export type UpdatePriceRuleInput = {
  audioNanosPerSecond?: InputMaybe<Scalars['BigInt']['input']>;
  baseNanosPerToken?: InputMaybe<Scalars['BigInt']['input']>;
  cachedInputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  effectiveFrom?: InputMaybe<Scalars['DateTime']['input']>;
  effectiveTo?: InputMaybe<Scalars['DateTime']['input']>;
  imageNanosPerUnit?: InputMaybe<Scalars['BigInt']['input']>;
  inputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  outputMultiplierPpm?: InputMaybe<Scalars['BigInt']['input']>;
  precedence?: InputMaybe<Scalars['Int']['input']>;
  requestFeeNanos?: InputMaybe<Scalars['BigInt']['input']>;
};

export type UpdateTeamInput = {
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateUserInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateWebhookEndpointInput = {
  eventTypes?: InputMaybe<Array<NotificationType>>;
  status?: InputMaybe<WebhookEndpointStatus>;
  url?: InputMaybe<Scalars['String']['input']>;
};

export type UsageAggregate = {
  __typename?: 'UsageAggregate';
  cachedTokens: Scalars['BigInt']['output'];
  completionTokens: Scalars['BigInt']['output'];
  cost: Money;
  /** YYYY-MM-DD in the requested time zone. */
  day?: Maybe<Scalars['String']['output']>;
  failedRequests: Scalars['Int']['output'];
  model?: Maybe<Scalars['String']['output']>;
  promptTokens: Scalars['BigInt']['output'];
  /** Requests that were billed (not failed). */
  requests: Scalars['Int']['output'];
};

export type UsageFilter = {
  apiKeyId?: InputMaybe<Scalars['ID']['input']>;
  /** Inclusive. */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  /** Requested or served model. */
  model?: InputMaybe<Scalars['String']['input']>;
  /** Platform admins: one organization. */
  organizationId?: InputMaybe<Scalars['ID']['input']>;
  /** Exclusive. */
  to?: InputMaybe<Scalars['DateTime']['input']>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};

export enum UsageGrouping {
  Day = 'DAY',
  DayAndModel = 'DAY_AND_MODEL',
  Model = 'MODEL'
}

/** One proxied request: who, which model, tokens, exact cost (nano-units), outcome. */
export type UsageRecord = Node & {
  __typename?: 'UsageRecord';
  apiKeyId: Scalars['String']['output'];
  cachedTokens: Scalars['Int']['output'];
  completionTokens: Scalars['Int']['output'];
  cost: Money;
  createdAt: Scalars['DateTime']['output'];
  degradedFrom?: Maybe<Scalars['String']['output']>;
  endpoint: Scalars['String']['output'];
  /** Usage was estimated because the upstream reported none. */
  estimated: Scalars['Boolean']['output'];
  graced: Scalars['Boolean']['output'];
  httpStatus?: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  latencyMs?: Maybe<Scalars['Int']['output']>;
  modelRequested: Scalars['String']['output'];
  modelServed?: Maybe<Scalars['String']['output']>;
  organizationId: Scalars['String']['output'];
  promptTokens: Scalars['Int']['output'];
  requestId: Scalars['String']['output'];
  status: UsageStatus;
  teamId?: Maybe<Scalars['String']['output']>;
  userId: Scalars['String']['output'];
};

export enum UsageStatus {
  ClientAborted = 'CLIENT_ABORTED',
  Failed = 'FAILED',
  Succeeded = 'SUCCEEDED'
}

export type User = Node & {
  __typename?: 'User';
  createdAt: Scalars['DateTime']['output'];
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  isPlatformAdmin: Scalars['Boolean']['output'];
  /** Memberships the caller may see: all for a platform admin, else the caller’s organization. */
  memberships: UserMembershipsConnection;
  name?: Maybe<Scalars['String']['output']>;
  status: Scalars['String']['output'];
};


export type UserMembershipsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type UserMembershipsConnection = {
  __typename?: 'UserMembershipsConnection';
  edges: Array<UserMembershipsConnectionEdge>;
  pageInfo: PageInfo;
};

export type UserMembershipsConnectionEdge = {
  __typename?: 'UserMembershipsConnectionEdge';
  cursor: Scalars['String']['output'];
  node: Membership;
};

export type Viewer = {
  __typename?: 'Viewer';
  apiKeyId?: Maybe<Scalars['ID']['output']>;
  kind: Scalars['String']['output'];
  organization?: Maybe<Organization>;
  role?: Maybe<OrganizationRole>;
  scopes: Array<ApiScope>;
  user?: Maybe<User>;
};

/** A prepaid balance of one owner (organization, team or user) in one currency. */
export type Wallet = Node & {
  __typename?: 'Wallet';
  /** balance - held; spending may take it down to -creditLimit. */
  available: Money;
  balance: Money;
  createdAt: Scalars['DateTime']['output'];
  creditLimit: Money;
  currency: Scalars['String']['output'];
  /** Ledger entries on this wallet, newest first. */
  entries: WalletEntriesConnection;
  /** Reserved by in-flight requests (active holds). */
  held: Money;
  id: Scalars['ID']['output'];
  organizationId: Scalars['String']['output'];
  owner: WalletOwner;
  status: WalletStatus;
};


/** A prepaid balance of one owner (organization, team or user) in one currency. */
export type WalletEntriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  from?: InputMaybe<Scalars['DateTime']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  reason?: InputMaybe<Array<LedgerReason>>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type WalletEntriesConnection = {
  __typename?: 'WalletEntriesConnection';
  edges: Array<WalletEntriesConnectionEdge>;
  pageInfo: PageInfo;
};

export type WalletEntriesConnectionEdge = {
  __typename?: 'WalletEntriesConnectionEdge';
  cursor: Scalars['String']['output'];
  node: LedgerEntry;
};

export type WalletLedgerMismatch = {
  __typename?: 'WalletLedgerMismatch';
  accountBalanceNanos?: Maybe<Scalars['BigInt']['output']>;
  activeHoldsSumNanos: Scalars['BigInt']['output'];
  balanceNanos: Scalars['BigInt']['output'];
  currency: Scalars['String']['output'];
  entriesSumNanos: Scalars['BigInt']['output'];
  heldNanos: Scalars['BigInt']['output'];
  walletId: Scalars['String']['output'];
};

export type WalletOwner = {
  __typename?: 'WalletOwner';
  id: Scalars['String']['output'];
  type: WalletOwnerType;
};

/** Names a wallet by owner and currency; it is created if it does not exist yet. */
export type WalletOwnerInput = {
  currency: Scalars['String']['input'];
  organizationId: Scalars['ID']['input'];
  ownerId: Scalars['ID']['input'];
  ownerType: WalletOwnerType;
};

export enum WalletOwnerType {
  Organization = 'ORGANIZATION',
  Team = 'TEAM',
  User = 'USER'
}

export type WalletPostingPayload = {
  __typename?: 'WalletPostingPayload';
  /** The wallet balance right after this posting. */
  balanceAfter: Money;
  idempotencyHit: Scalars['Boolean']['output'];
  transactionId: Scalars['String']['output'];
  wallet: Wallet;
};

export enum WalletStatus {
  Active = 'ACTIVE',
  Closed = 'CLOSED',
  Frozen = 'FROZEN'
}

/** One notification’s delivery to one endpoint (an outbox row), with its attempts. */
export type WebhookDelivery = {
  __typename?: 'WebhookDelivery';
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  deliveredAt?: Maybe<Scalars['DateTime']['output']>;
  endpointId: Scalars['String']['output'];
  eventId: Scalars['String']['output'];
  eventType: NotificationType;
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  nextAttemptAt: Scalars['DateTime']['output'];
  status: WebhookDeliveryStatus;
};

export enum WebhookDeliveryStatus {
  Dead = 'DEAD',
  Delivered = 'DELIVERED',
  Pending = 'PENDING',
  Processing = 'PROCESSING'
}

/** An organization’s HTTPS endpoint for notifications, signed with Tollgate-Signature. */
export type WebhookEndpoint = Node & {
  __typename?: 'WebhookEndpoint';
  createdAt: Scalars['DateTime']['output'];
  /** Types delivered here; empty = every type. */
  eventTypes: Array<NotificationType>;
  id: Scalars['ID']['output'];
  organizationId: Scalars['String']['output'];
  status: WebhookEndpointStatus;
  updatedAt: Scalars['DateTime']['output'];
  url: Scalars['String']['output'];
};

/** The signing secret, shown only in this response. */
export type WebhookEndpointSecret = {
  __typename?: 'WebhookEndpointSecret';
  endpoint: WebhookEndpoint;
  /** Until then the previous secret also signs (a second v1 in Tollgate-Signature). */
  previousSecretExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  secret: Scalars['String']['output'];
};

export enum WebhookEndpointStatus {
  Active = 'ACTIVE',
  Disabled = 'DISABLED'
}
