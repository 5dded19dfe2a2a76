import type { Context } from '../../context.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { type Principal, hasScope, isMember, isPlatformAdmin } from '../../identity/principal.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../lib/errors.ts';
import type { OwnerType } from '../../ledger/accounts.ts';
import { canSeeWallet } from './wallets.ts';
import { decodeId } from '../ids.ts';

/**
 * Who may start top-ups, refund, and see payments. The GraphQL fields in src/schema/payments.ts only
 * call these; the money rules themselves are in src/payments/payment-service.ts.
 */

const isManager = (p: Principal): boolean => isMember(p) && (p.role === 'owner' || p.role === 'admin');

/**
 * May the caller see this order and its payments? Admins of the org all (with read, or billing for
 * the top-up history); members their own (read).
 */
export async function canSeeOrder(
  ctx: Context,
  order: { organizationId: string; userId: string | null; walletId: string },
) {
  const p = ctx.principal;
  if (!p) return false;
  if (isPlatformAdmin(p)) return true;
  if (!isMember(p) || p.organizationId !== order.organizationId) return false;
  if (isManager(p) && hasScope(p, 'billing')) return true;
  if (!hasScope(p, 'read')) return false;
  if (isManager(p) || order.userId === p.userId) return true;
  const wallet = await ctx.services.db.wallet.findUnique({ where: { id: order.walletId } });
  return wallet ? canSeeWallet(ctx, wallet) : false;
}

export async function paymentVisible(ctx: Context, orderId: string) {
  const order = await ctx.services.db.order.findUnique({ where: { id: orderId } });
  return order ? canSeeOrder(ctx, order) : false;
}

/** A refund or a dispute: whoever may see its payment. */
export async function canSeeByPayment(ctx: Context, refund: { paymentId: string }) {
  const payment = await ctx.services.db.payment.findUnique({ where: { id: refund.paymentId } });
  return payment ? paymentVisible(ctx, payment.orderId) : false;
}

/** The organization a top-up is for (an API key's own; a platform admin names one). Needs `billing`. */
export async function topUpOrganization(
  ctx: Context,
  requested: string | number | null | undefined,
): Promise<{ principal: Principal; organizationId: string }> {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  if (!hasScope(p, 'billing')) throw new ForbiddenError('Requires the billing scope');
  let organizationId: string;
  if (isMember(p)) organizationId = p.organizationId;
  else if (requested) organizationId = decodeId(requested, 'Organization');
  else
    throw new ValidationError('organizationId is required for platform admins', { param: 'organizationId' });
  if (!(await ctx.services.db.organization.findUnique({ where: { id: organizationId } })))
    throw new NotFoundError('Organization', organizationId);
  return { principal: p, organizationId };
}

/** Which wallet a top-up credits: members their own, their teams' or the organization's. */
export async function resolveTopUpOwner(
  ctx: Context,
  organizationId: string,
  owner: { type: OwnerType; id: string | number } | null | undefined,
): Promise<{ ownerType: OwnerType; ownerId: string }> {
  const p = ctx.principal!;
  if (!owner) return { ownerType: 'organization', ownerId: organizationId };
  const prefix = owner.type === 'organization' ? 'Organization' : owner.type === 'team' ? 'Team' : 'User';
  const id = decodeId(owner.id, prefix);
  const db = ctx.services.db;
  const manager = isPlatformAdmin(p) || (isMember(p) && (p.role === 'owner' || p.role === 'admin'));
  if (owner.type === 'organization') {
    if (id !== organizationId) throw new NotFoundError('Organization', id);
  } else if (owner.type === 'team') {
    const team = await db.team.findFirst({ where: { id, organizationId } });
    if (!team) throw new NotFoundError('Team', id);
    if (
      !manager &&
      isMember(p) &&
      !(await db.teamMember.findFirst({ where: { teamId: id, userId: p.userId } }))
    )
      throw new ForbiddenError('Only members of the team may top up its wallet');
  } else {
    const member = await db.membership.findUnique({
      where: { organizationId_userId: { organizationId, userId: id } },
    });
    if (!member) throw new NotFoundError('User', id);
    if (!manager && isMember(p) && p.userId !== id)
      throw new ForbiddenError('Members may top up only their own wallet');
  }
  return { ownerType: owner.type, ownerId: id };
}

/** Refunds: platform admins, or the payment organization's owner with the billing scope. */
export async function authorizeRefund(ctx: Context, paymentIdArg: string | number): Promise<string> {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  const paymentId = decodeId(paymentIdArg, 'Payment');
  const organizationId = await ctx.services.payments.organizationOfPayment(paymentId);
  if (!isPlatformAdmin(p)) {
    if (!isMember(p) || p.organizationId !== organizationId) throw new NotFoundError('Payment', paymentId);
    if (p.role !== 'owner' || !hasScope(p, 'billing'))
      throw new ForbiddenError('Refunds require the owner role and the billing scope');
  }
  return paymentId;
}

/** The orders whose payments the caller may list: owners/admins the organization's, members their own. */
export function visibleOrdersWhere(
  ctx: Context,
  organizationIdArg: string | number | null | undefined,
): Prisma.OrderWhereInput {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  if (isPlatformAdmin(p))
    return organizationIdArg ? { organizationId: decodeId(organizationIdArg, 'Organization') } : {};
  if (isMember(p) && hasScope(p, 'read'))
    return p.role === 'owner' || p.role === 'admin'
      ? { organizationId: p.organizationId }
      : { organizationId: p.organizationId, userId: p.userId };
  throw new ForbiddenError('Requires the read scope');
}

/**
 * The orders in the top-up history (`orders`, `disputes`): platform admins any organization's or
 * all; owners and admins (the field needs the billing scope) their own organization's; members none.
 * @throws NotFoundError for another organization's id, ForbiddenError for a member.
 */
export function billingOrdersWhere(
  ctx: Context,
  organizationIdArg: string | number | null | undefined,
): Prisma.OrderWhereInput {
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  const requested = organizationIdArg ? decodeId(organizationIdArg, 'Organization') : null;
  if (isPlatformAdmin(p)) return requested ? { organizationId: requested } : {};
  if (!isMember(p) || !isManager(p))
    throw new ForbiddenError('The top-up history requires the owner or admin role');
  if (requested && requested !== p.organizationId) throw new NotFoundError('Organization', requested);
  return { organizationId: p.organizationId };
}
