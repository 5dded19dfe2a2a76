import type { Context } from '../../context.ts';
import { isPlatformAdmin } from '../../identity/principal.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import {
  parseRiskSettings,
  RISK_SCOPE_TYPES,
  type RiskScopeType,
  type RiskSettings,
} from '../../risk/settings.ts';
import { organizationIdArg, requireOrgAdmin } from '../notifications/webhooks.ts';
import { decodeId } from '../../graphql/ids.ts';

export interface RiskSettingShape {
  scopeType: RiskScopeType;
  scopeId: string;
  settings: RiskSettings | null;
}

function scopeOf(
  scopeType: string,
  scopeId: string | null | undefined,
): { scopeType: RiskScopeType; scopeId: string } {
  if (!(RISK_SCOPE_TYPES as readonly string[]).includes(scopeType))
    throw new ValidationError(`scopeType must be one of ${RISK_SCOPE_TYPES.join(', ')}`, {
      param: 'scopeType',
    });
  const type = scopeType as RiskScopeType;
  if (type === 'global') return { scopeType: type, scopeId: '' };
  if (!scopeId) throw new ValidationError('scopeId is required for this scope type', { param: 'scopeId' });
  return { scopeType: type, scopeId: type === 'organization' ? organizationIdArg(scopeId) : scopeId };
}

/** Platform admins read any scope; organization owners/admins read their organization's. */
export async function readRiskSettings(ctx: Context, scopeType: string, scopeId: string | null | undefined) {
  const scope = scopeOf(scopeType, scopeId);
  if (!isPlatformAdmin(ctx.principal)) {
    if (scope.scopeType !== 'organization')
      throw new ForbiddenError('Only platform admins may read risk settings outside their organization');
    requireOrgAdmin(ctx, scope.scopeId);
  }
  const settings = await ctx.services.risk.settings.get(scope.scopeType, scope.scopeId);
  return { ...scope, settings: settings ?? null } satisfies RiskSettingShape;
}

/** What applies to this organization (and user/key): defaults and every layer merged. */
export async function effectiveRiskSettings(
  ctx: Context,
  args: { organizationId: string; userId?: string | null; apiKeyId?: string | null },
) {
  const organizationId = organizationIdArg(args.organizationId);
  requireOrgAdmin(ctx, organizationId);
  const { db } = ctx.services;
  // A user or key outside the organization answers exactly like one that does not exist.
  const userId = args.userId ? decodeId(args.userId, 'User') : null;
  if (userId && !(await db.membership.findFirst({ where: { organizationId, userId }, select: { id: true } })))
    throw new NotFoundError('User', args.userId!);
  const apiKeyId = args.apiKeyId ? decodeId(args.apiKeyId, 'ApiKey') : null;
  if (
    apiKeyId &&
    !(await db.apiKey.findFirst({ where: { id: apiKeyId, organizationId }, select: { id: true } }))
  )
    throw new NotFoundError('API key', args.apiKeyId!);
  return ctx.services.risk.settings.effective({ organizationId, userId, apiKeyId });
}

export async function setRiskSettings(
  ctx: Context,
  scopeType: string,
  scopeId: string | null | undefined,
  settings: unknown,
) {
  const scope = scopeOf(scopeType, scopeId);
  await ctx.services.risk.settings.put(scope.scopeType, scope.scopeId, settings);
  return readRiskSettings(ctx, scope.scopeType, scope.scopeId);
}

export async function deleteRiskSettings(
  ctx: Context,
  scopeType: string,
  scopeId: string | null | undefined,
) {
  const scope = scopeOf(scopeType, scopeId);
  return ctx.services.risk.settings.remove(scope.scopeType, scope.scopeId);
}

export interface NotificationSettingsInput {
  emailRecipients?: string[] | null;
  emailEventTypes?: string[] | null;
  balanceLowThresholds?: { currency: string; thresholdNanos: bigint[] }[] | null;
  walletBalanceLowThresholds?: { walletId: string; thresholdNanos: bigint[] }[] | null;
  keyExpiringDays?: number | null;
}

/**
 * Organization owners/admins edit the `notifications` section of their organization's risk
 * settings (recipients, thresholds); the risk limits in the same row stay platform-admin only.
 * A field left out keeps its value; an empty list clears it.
 */
export async function updateNotificationSettings(
  ctx: Context,
  organizationIdRaw: string,
  input: NotificationSettingsInput,
) {
  const organizationId = organizationIdArg(organizationIdRaw);
  requireOrgAdmin(ctx, organizationId);
  const current = (await ctx.services.risk.settings.get('organization', organizationId)) ?? {};
  const n: Record<string, unknown> = { ...current.notifications };
  if (input.emailRecipients != null) n.emailRecipients = input.emailRecipients;
  if (input.emailEventTypes != null) n.emailEventTypes = input.emailEventTypes;
  if (input.keyExpiringDays != null) n.keyExpiringDays = input.keyExpiringDays;
  if (input.balanceLowThresholds != null)
    n.balanceLowThresholdsNanos = Object.fromEntries(
      input.balanceLowThresholds.map((t) => [t.currency, t.thresholdNanos.map(String)]),
    );
  if (input.walletBalanceLowThresholds != null) {
    const walletIds = input.walletBalanceLowThresholds.map((t) => t.walletId);
    const owned = await ctx.services.db.wallet.count({ where: { id: { in: walletIds }, organizationId } });
    if (owned !== new Set(walletIds).size)
      throw new ValidationError('Every wallet must belong to this organization', {
        param: 'walletBalanceLowThresholds',
      });
    n.walletBalanceLowThresholdsNanos = Object.fromEntries(
      input.walletBalanceLowThresholds.map((t) => [t.walletId, t.thresholdNanos.map(String)]),
    );
  }
  const next = parseRiskSettings({ ...current, notifications: n });
  await ctx.services.risk.settings.put('organization', organizationId, next);
  return next.notifications ?? {};
}
