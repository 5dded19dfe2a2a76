import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import { DISPUTE_STATUSES, ORDER_STATUSES } from '../payments/state-machine.ts';
import { billingOrdersWhere, canSeeByPayment, canSeeOrder } from '../graphql/access/payments.ts';
import { minorMoney } from './payments.ts';
import { MoneyRef, nanoMoney } from './wallet.ts';

const OrderStatusEnum = screamingEnum('OrderStatus', ORDER_STATUSES);
const DisputeStatusEnum = screamingEnum('DisputeStatus', DISPUTE_STATUSES);

builder.prismaNode('Order', {
  id: { field: 'id' },
  description:
    'A top-up: what the buyer pays (minor units) and what the wallet is credited, with its payments.',
  authScopes: (order, ctx) => canSeeOrder(ctx, order),
  fields: (t) => ({
    organizationId: t.exposeString('organizationId'),
    walletId: t.exposeString('walletId'),
    userId: t.exposeString('userId', { nullable: true }),
    status: t.field({ type: OrderStatusEnum, resolve: (o) => o.status as (typeof ORDER_STATUSES)[number] }),
    provider: t.exposeString('provider'),
    amount: t.field({ type: MoneyRef, resolve: (o) => minorMoney(o.amountMinor, o.currency) }),
    credit: t.field({
      type: MoneyRef,
      description: 'What the wallet is credited once paid (nano-units).',
      resolve: (o) => nanoMoney(o.creditNanos, o.currency),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    paidAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its payment succeeded.',
      select: { payments: { select: { succeededAt: true } } },
      resolve: (o) =>
        o.payments.reduce<Date | null>(
          (at, p) => (p.succeededAt && (!at || p.succeededAt > at) ? p.succeededAt : at),
          null,
        ),
    }),
    payments: t.relation('payments', {
      query: { orderBy: { createdAt: 'asc' } },
      // A top-up creates its order and its one payment together (src/payments/top-ups.ts).
      complexity: { field: 1, multiplier: 1 },
    }),
  }),
});

builder.prismaNode('Dispute', {
  id: { field: 'id' },
  description: 'A chargeback the provider reported on a payment; the credit stays frozen while it is open.',
  authScopes: (dispute, ctx) => canSeeByPayment(ctx, dispute),
  fields: (t) => ({
    status: t.field({
      type: DisputeStatusEnum,
      resolve: (d) => d.status as (typeof DISPUTE_STATUSES)[number],
    }),
    amount: t.field({ type: MoneyRef, resolve: (d) => minorMoney(d.amountMinor, d.currency) }),
    reason: t.exposeString('reason', { nullable: true }),
    providerDisputeId: t.exposeString('providerDisputeId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    payment: t.relation('payment'),
  }),
});

builder.queryFields((t) => ({
  orders: t.prismaConnection({
    keyScope: 'billing',
    type: 'Order',
    cursor: 'id',
    description:
      'Top-up history, newest first: platform admins any organization (or all); owners and admins their own (billing scope).',
    authScopes: { authenticated: true },
    args: {
      organizationId: t.arg.id({ required: false }),
      status: t.arg({ type: [OrderStatusEnum], required: false }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.order.findMany({
        ...query,
        where: {
          ...billingOrdersWhere(ctx, args.organizationId),
          ...(args.status?.length ? { status: { in: args.status } } : {}),
        },
        orderBy: { id: 'desc' },
      }),
  }),
  disputes: t.prismaConnection({
    keyScope: 'billing',
    type: 'Dispute',
    cursor: 'id',
    description:
      'Disputes (chargebacks), newest first, with the payment and order they concern: platform admins all or one organization’s; owners and admins their own (billing scope).',
    authScopes: { authenticated: true },
    args: {
      organizationId: t.arg.id({ required: false }),
      status: t.arg({ type: [DisputeStatusEnum], required: false }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.dispute.findMany({
        ...query,
        where: {
          payment: { order: billingOrdersWhere(ctx, args.organizationId) },
          ...(args.status?.length ? { status: { in: args.status } } : {}),
        },
        orderBy: { id: 'desc' },
      }),
  }),
}));
