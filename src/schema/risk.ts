import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import {
  deleteRiskSettings,
  effectiveRiskSettings,
  type RiskSettingShape,
  readRiskSettings,
  setRiskSettings,
} from '../resolvers/risk/settings.ts';
import { RISK_SCOPE_TYPES } from '../risk/settings.ts';

const RiskScopeType = screamingEnum('RiskScopeType', RISK_SCOPE_TYPES);

const RiskSettingRef = builder.objectRef<RiskSettingShape>('RiskSetting').implement({
  description: 'The risk settings stored for one scope (docs/risk-and-notifications.md lists every field).',
  fields: (t) => ({
    scopeType: t.field({ type: RiskScopeType, resolve: (s) => s.scopeType }),
    scopeId: t.exposeString('scopeId', { description: 'Empty for the global scope.' }),
    settings: t.expose('settings', {
      type: 'JSON',
      nullable: true,
      description: 'null: nothing stored for this scope.',
    }),
  }),
});

builder.queryFields((t) => ({
  riskSettings: t.field({
    keyScope: 'read',
    type: RiskSettingRef,
    description:
      'Stored settings of one scope: any for platform admins; organization owners/admins see their organization’s.',
    authScopes: { authenticated: true },
    args: {
      scopeType: t.arg({ type: RiskScopeType, required: true }),
      scopeId: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) => readRiskSettings(ctx, args.scopeType, args.scopeId),
  }),
  effectiveRiskSettings: t.field({
    keyScope: 'read',
    type: 'JSON',
    description:
      'Defaults and every layer merged, as enforced for this organization (and user/key) (owner/admin).',
    authScopes: { authenticated: true },
    args: {
      organizationId: t.arg.id({ required: true }),
      userId: t.arg.string({ required: false }),
      apiKeyId: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      effectiveRiskSettings(ctx, {
        organizationId: String(args.organizationId),
        userId: args.userId,
        apiKeyId: args.apiKeyId,
      }),
  }),
}));

builder.mutationFields((t) => ({
  setRiskSettings: t.field({
    keyScope: 'manage',
    type: RiskSettingRef,
    description:
      'Replaces the settings of one scope, validated; every gateway process picks them up at once (platform admin).',
    authScopes: { platformAdmin: true },
    args: {
      scopeType: t.arg({ type: RiskScopeType, required: true }),
      scopeId: t.arg.string({ required: false }),
      settings: t.arg({ type: 'JSON', required: true }),
    },
    resolve: (_root, args, ctx) => setRiskSettings(ctx, args.scopeType, args.scopeId, args.settings),
  }),
  deleteRiskSettings: t.boolean({
    keyScope: 'manage',
    description: 'Removes the settings of one scope (platform admin).',
    authScopes: { platformAdmin: true },
    args: {
      scopeType: t.arg({ type: RiskScopeType, required: true }),
      scopeId: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) => deleteRiskSettings(ctx, args.scopeType, args.scopeId),
  }),
}));
