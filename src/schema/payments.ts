import { builder } from '../builder.ts';
import { refetch } from '../graphql/refetch.ts';
import { refundPayment, releasePaymentReview } from '../resolvers/payments/refunds.ts';
import { createTopUp } from '../resolvers/payments/top-ups.ts';
import { screamingEnum } from './enums.ts';
import { PAYMENT_STATUSES, REFUND_STATUSES } from '../payments/state-machine.ts';
import { canSeeByPayment, paymentVisible, visibleOrdersWhere } from '../graphql/access/payments.ts';
import { MoneyRef, type MoneyShape } from './wallet.ts';

export const minorMoney = (amount: bigint, currency: string): MoneyShape => ({
  amount,
  currency,
  unit: 'minor',
});

const PaymentStatusEnum = screamingEnum('PaymentStatus', PAYMENT_STATUSES);
const RefundStatusEnum = screamingEnum('RefundStatus', REFUND_STATUSES);
const TopUpOwnerType = screamingEnum('TopUpOwnerType', ['organization', 'team', 'user']);
const PaymentPresentationEnum = screamingEnum('PaymentPresentation', ['qr_code', 'page', 'wap'], {
  description: 'How the buyer pays, where the provider offers several ways (Alipay).',
  valueDescriptions: {
    qr_code: 'A QR code the buyer scans with the Alipay app (TopUp.qrCode).',
    page: 'The desktop cashier (TopUp.redirectUrl).',
    wap: 'The mobile cashier, which can hand over to the Alipay app (TopUp.redirectUrl).',
  },
});

const RefundRef = builder.prismaNode('Refund', {
  id: { field: 'id' },
  authScopes: (refund, ctx) => canSeeByPayment(ctx, refund),
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
    disputes: t.relation('disputes', { query: { orderBy: { createdAt: 'asc' } } }),
    order: t.relation('order'),
  }),
});

interface TopUpShape {
  paymentId: string;
  orderId: string;
  walletId: string;
  clientSecret: string | null;
  redirectUrl: string | null;
  qrCode: string | null;
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
    qrCode: t.exposeString('qrCode', {
      nullable: true,
      description:
        "The QR code's content (a URL) for the buyer to scan with the Alipay app; render it yourself.",
    }),
    paymentPageUrl: t.exposeString('paymentPageUrl', {
      nullable: true,
      description:
        'The hosted top-up page (Stripe: card and Alipay; direct Alipay: the QR code or the cashier), its secret in the fragment.',
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
    presentation: t.field({
      type: PaymentPresentationEnum,
      required: false,
      description:
        "Default: the provider's choice from the caller's user agent (phones get WAP with Alipay).",
    }),
  }),
});

builder.mutationField('createTopUp', (t) =>
  t.field({
    keyScope: 'billing',
    type: TopUpRef,
    description:
      'Starts a wallet top-up: an order and a provider payment. Idempotent per organization and idempotencyKey. Requires the billing scope.',
    args: { input: t.arg({ type: CreateTopUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => createTopUp(ctx, input),
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
    keyScope: 'billing',
    type: 'Refund',
    description:
      'Refunds part or all of a succeeded payment through its provider; the wallet is debited when the provider confirms. Platform admins, or organization owners with the billing scope.',
    args: { input: t.arg({ type: RefundPaymentInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      refetch(ctx.services.db.refund, query, refundPayment(ctx, input)),
  }),
);

builder.mutationField('releasePaymentReview', (t) =>
  t.prismaField({
    keyScope: 'billing',
    type: 'Payment',
    description: 'Releases the credit of a payment frozen for risk review (platform admin).',
    authScopes: { platformAdmin: true },
    args: { paymentId: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      refetch(ctx.services.db.payment, query, releasePaymentReview(ctx, args.paymentId)),
  }),
);

builder.queryField('payments', (t) =>
  t.prismaConnection({
    keyScope: 'read',
    type: 'Payment',
    cursor: 'id',
    description: 'Payments visible to the caller, newest first.',
    authScopes: { authenticated: true },
    args: {
      organizationId: t.arg.id({ required: false }),
      status: t.arg({ type: [PaymentStatusEnum], required: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const orderWhere = visibleOrdersWhere(ctx, args.organizationId);
      return ctx.services.db.payment.findMany({
        ...query,
        where: { order: orderWhere, ...(args.status?.length ? { status: { in: args.status } } : {}) },
        orderBy: { id: 'desc' },
      });
    },
  }),
);

builder.queryField('topUpProviders', (t) =>
  t.stringList({
    keyScope: 'read',
    description:
      "The payment providers a top-up in `currency` may use, the operator's default first (TOP_UP_PROVIDERS): a front end offers these as the choice, and `createTopUp` without `provider` takes the first.",
    authScopes: { authenticated: true },
    args: { currency: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => [...ctx.services.payments.topUpProviders(args.currency)],
  }),
);

export { PaymentRef, RefundRef };
