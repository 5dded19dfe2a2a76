import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { hasScope, isPlatformAdmin } from '../identity/principal.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../lib/errors.ts';
import type { OwnerType } from '../payments/payment-service.ts';
import { PAYMENT_STATUSES, REFUND_STATUSES } from '../payments/state-machine.ts';
import { canSeeWallet, rawId } from '../resolvers/wallet/visibility.ts';
import { MoneyRef, type MoneyShape } from './wallet.ts';

const minorMoney = (amount: bigint, currency: string): MoneyShape => ({ amount, currency, unit: 'minor' });

const PaymentStatusEnum = builder.enumType('PaymentStatus', { values: PAYMENT_STATUSES });
const RefundStatusEnum = builder.enumType('RefundStatus', { values: REFUND_STATUSES });
const TopUpOwnerType = builder.enumType('TopUpOwnerType', {
  values: ['organization', 'team', 'user'] as const,
});

/** May the caller see payments of this order? Admins of the org all; members their own. */
async function canSeeOrder(
  ctx: Context,
  order: { organizationId: string; userId: string | null; walletId: string },
) {
  const p = ctx.principal;
  if (!p) return false;
  if (isPlatformAdmin(p)) return true;
  if (p.kind !== 'api_key' || p.organizationId !== order.organizationId || !hasScope(p, 'read')) return false;
  if (p.role === 'owner' || p.role === 'admin' || order.userId === p.userId) return true;
  const wallet = await ctx.services.db.wallet.findUnique({ where: { id: order.walletId } });
  return wallet ? canSeeWallet(ctx, wallet) : false;
}

async function paymentVisible(ctx: Context, orderId: string) {
  const order = await ctx.services.db.order.findUnique({ where: { id: orderId } });
  return order ? canSeeOrder(ctx, order) : false;
}

const RefundRef = builder.prismaNode('Refund', {
  id: { field: 'id' },
  authScopes: async (refund, ctx) => {
    const payment = await ctx.services.db.payment.findUnique({ where: { id: refund.paymentId } });
    return payment ? paymentVisible(ctx, payment.orderId) : false;
  },
  fields: (t) => ({
    status: t.field({ type: RefundStatusEnum, resolve: (r) => r.status as (typeof REFUND_STATUSES)[number] }),
    amount: t.field({ type: MoneyRef, resolve: (r) => minorMoney(r.amountMinor, r.currency) }),
    reason: t.exposeString('reason', { nullable: true }),
    failureReason: t.exposeString('failureReason', { nullable: true }),
    providerRefundId: t.exposeString('providerRefundId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const PaymentRef = builder.prismaNode('Payment', {
  id: { field: 'id' },
  authScopes: (payment, ctx) => paymentVisible(ctx, payment.orderId),
  fields: (t) => ({
    status: t.field({
      type: PaymentStatusEnum,
      resolve: (p) => p.status as (typeof PAYMENT_STATUSES)[number],
    }),
    provider: t.exposeString('provider'),
    providerTxnId: t.exposeString('providerTxnId', { nullable: true }),
    amount: t.field({ type: MoneyRef, resolve: (p) => minorMoney(p.amountMinor, p.currency) }),
    amountRefunded: t.field({
      type: MoneyRef,
      resolve: (p) => minorMoney(p.amountRefundedMinor, p.currency),
    }),
    orderId: t.exposeString('orderId'),
    walletId: t.string({
      select: { order: { select: { walletId: true } } },
      resolve: (p) => p.order.walletId,
    }),
    riskLevel: t.exposeString('riskLevel', { nullable: true }),
    underReview: t.boolean({
      resolve: (p) => (p.metadata as { review?: { state?: string } }).review?.state === 'pending',
    }),
    failureCode: t.exposeString('failureCode', { nullable: true }),
    failureMessage: t.exposeString('failureMessage', { nullable: true }),
    succeededAt: t.expose('succeededAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    refunds: t.relation('refunds', { query: { orderBy: { createdAt: 'asc' } } }),
  }),
});

interface TopUpShape {
  paymentId: string;
  orderId: string;
  walletId: string;
  clientSecret: string | null;
  redirectUrl: string | null;
  publishableKey: string | null;
  paymentPageUrl: string | null;
  idempotencyHit: boolean;
}

const TopUpRef = builder.objectRef<TopUpShape>('TopUp').implement({
  description: 'What a front end needs to collect the payment (Stripe Payment Element or a redirect).',
  fields: (t) => ({
    payment: t.prismaField({
      type: 'Payment',
      resolve: (query, r, _a, ctx) =>
        ctx.services.db.payment.findUniqueOrThrow({ ...query, where: { id: r.paymentId } }),
    }),
    orderId: t.exposeString('orderId'),
    walletId: t.exposeString('walletId'),
    clientSecret: t.exposeString('clientSecret', { nullable: true }),
    publishableKey: t.exposeString('publishableKey', { nullable: true }),
    redirectUrl: t.exposeString('redirectUrl', { nullable: true }),
    paymentPageUrl: t.exposeString('paymentPageUrl', {
      nullable: true,
      description: 'The hosted top-up page (card and Alipay through Stripe), client secret in the fragment.',
    }),
    idempotencyHit: t.exposeBoolean('idempotencyHit'),
  }),
});

const TopUpOwnerInput = builder.inputType('TopUpOwnerInput', {
  fields: (t) => ({
    type: t.field({ type: TopUpOwnerType, required: true }),
    id: t.id({ required: true }),
  }),
});

const CreateTopUpInput = builder.inputType('CreateTopUpInput', {
  fields: (t) => ({
    organizationId: t.id({ required: false, description: 'Platform admins only; API keys use their own.' }),
    owner: t.field({
      type: TopUpOwnerInput,
      required: false,
      description: 'Default: the organization wallet.',
    }),
    currency: t.string({ required: true }),
    amount: t.field({
      type: 'BigInt',
      required: true,
      description: 'In the currency minor units (cents; yen).',
    }),
    provider: t.string({ required: false }),
    idempotencyKey: t.string({ required: true }),
    returnUrl: t.string({ required: false }),
  }),
});

async function resolveOwner(
  ctx: Context,
  organizationId: string,
  owner: { type: OwnerType; id: string | number } | null | undefined,
): Promise<{ ownerType: OwnerType; ownerId: string }> {
  const p = ctx.principal!;
  if (!owner) return { ownerType: 'organization', ownerId: organizationId };
  const prefix = owner.type === 'organization' ? 'Organization' : owner.type === 'team' ? 'Team' : 'User';
  const id = rawId(owner.id, prefix);
  const db = ctx.services.db;
  const manager = isPlatformAdmin(p) || (p.kind === 'api_key' && (p.role === 'owner' || p.role === 'admin'));
  if (owner.type === 'organization') {
    if (id !== organizationId) throw new NotFoundError('Organization', id);
  } else if (owner.type === 'team') {
    const team = await db.team.findFirst({ where: { id, organizationId } });
    if (!team) throw new NotFoundError('Team', id);
    if (
      !manager &&
      p.kind === 'api_key' &&
      !(await db.teamMember.findFirst({ where: { teamId: id, userId: p.userId } }))
    )
      throw new ForbiddenError('Only members of the team may top up its wallet');
  } else {
    const member = await db.membership.findUnique({
      where: { organizationId_userId: { organizationId, userId: id } },
    });
    if (!member) throw new NotFoundError('User', id);
    if (!manager && p.kind === 'api_key' && p.userId !== id)
      throw new ForbiddenError('Members may top up only their own wallet');
  }
  return { ownerType: owner.type, ownerId: id };
}

builder.mutationField('createTopUp', (t) =>
  t.field({
    type: TopUpRef,
    description:
      'Starts a wallet top-up: an order and a provider payment. Idempotent per organization and idempotencyKey. Requires the billing scope.',
    args: { input: t.arg({ type: CreateTopUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const p = ctx.principal;
      if (!p) throw new UnauthenticatedError();
      if (!hasScope(p, 'billing')) throw new ForbiddenError('Requires the billing scope');
      let organizationId: string;
      if (p.kind === 'api_key') organizationId = p.organizationId;
      else if (input.organizationId) organizationId = rawId(input.organizationId, 'Organization');
      else
        throw new ValidationError('organizationId is required for platform admins', {
          param: 'organizationId',
        });
      if (!(await ctx.services.db.organization.findUnique({ where: { id: organizationId } })))
        throw new NotFoundError('Organization', organizationId);
      const owner = await resolveOwner(ctx, organizationId, input.owner as any);
      const result = await ctx.services.payments.createTopUp({
        organizationId,
        userId: p.kind === 'api_key' ? p.userId : null,
        owner,
        currency: input.currency,
        amountMinor: input.amount,
        provider: input.provider ?? undefined,
        idempotencyKey: input.idempotencyKey,
        returnUrl: input.returnUrl ?? undefined,
        requestId: ctx.requestId,
      });
      const base = ctx.services.config.PUBLIC_BASE_URL ?? `http://localhost:${ctx.services.config.PORT}`;
      return {
        ...result,
        publishableKey:
          result.provider === 'stripe' ? (ctx.services.config.STRIPE_PUBLISHABLE_KEY ?? null) : null,
        paymentPageUrl: result.clientSecret
          ? `${base}/pay/${encodeURIComponent(result.paymentId)}#${encodeURIComponent(result.clientSecret)}`
          : null,
      };
    },
  }),
);

const RefundPaymentInput = builder.inputType('RefundPaymentInput', {
  fields: (t) => ({
    paymentId: t.id({ required: true }),
    amount: t.field({
      type: 'BigInt',
      required: false,
      description: 'Minor units; omit to refund all that remains.',
    }),
    reason: t.string({ required: false }),
    idempotencyKey: t.string({ required: true }),
  }),
});

builder.mutationField('refundPayment', (t) =>
  t.prismaField({
    type: 'Refund',
    description:
      'Refunds part or all of a succeeded payment through its provider; the wallet is debited when the provider confirms. Platform admins, or organization owners with the billing scope.',
    args: { input: t.arg({ type: RefundPaymentInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const p = ctx.principal;
      if (!p) throw new UnauthenticatedError();
      const paymentId = rawId(input.paymentId, 'Payment');
      const organizationId = await ctx.services.payments.organizationOfPayment(paymentId);
      if (!isPlatformAdmin(p)) {
        if (p.kind !== 'api_key' || p.organizationId !== organizationId)
          throw new NotFoundError('Payment', paymentId);
        if (p.role !== 'owner' || !hasScope(p, 'billing'))
          throw new ForbiddenError('Refunds require the owner role and the billing scope');
      }
      const refund = await ctx.services.payments.refundPayment({
        paymentId,
        amountMinor: input.amount ?? null,
        reason: input.reason ?? null,
        idempotencyKey: input.idempotencyKey,
        requestId: ctx.requestId,
      });
      return ctx.services.db.refund.findUniqueOrThrow({ ...query, where: { id: refund.id } });
    },
  }),
);

builder.mutationField('releasePaymentReview', (t) =>
  t.prismaField({
    type: 'Payment',
    description: 'Releases the credit of a payment frozen for risk review (platform admin).',
    authScopes: { platformAdmin: true },
    args: { paymentId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = rawId(args.paymentId, 'Payment');
      await ctx.services.payments.releaseReview(id);
      return ctx.services.db.payment.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.queryField('payments', (t) =>
  t.prismaConnection({
    type: 'Payment',
    cursor: 'id',
    description: 'Payments visible to the caller, newest first.',
    authScopes: { authenticated: true },
    args: {
      organizationId: t.arg.id({ required: false }),
      status: t.arg({ type: [PaymentStatusEnum], required: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const p = ctx.principal!;
      let orderWhere: object;
      if (isPlatformAdmin(p))
        orderWhere = args.organizationId
          ? { organizationId: rawId(args.organizationId, 'Organization') }
          : {};
      else if (p.kind === 'api_key' && hasScope(p, 'read'))
        orderWhere =
          p.role === 'owner' || p.role === 'admin'
            ? { organizationId: p.organizationId }
            : { organizationId: p.organizationId, userId: p.userId };
      else throw new ForbiddenError('Requires the read scope');
      return ctx.services.db.payment.findMany({
        ...query,
        where: { order: orderWhere, ...(args.status?.length ? { status: { in: args.status } } : {}) },
        orderBy: { id: 'desc' },
      });
    },
  }),
);

export { PaymentRef, RefundRef };
