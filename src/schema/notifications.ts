import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import { isOrgAdmin } from '../graphql/access/identity.ts';
import { orgAdminOf } from '../graphql/access/scopes.ts';
import { notificationChannel, notificationPubSub } from '../notifications/service.ts';
import { NOTIFICATION_TYPES, type NotificationEvent, type NotificationType } from '../notifications/types.ts';
import { WEBHOOK_ENDPOINT_STATUSES, type WebhookDeliveryPayload } from '../notifications/webhooks.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  organizationIdArg,
  replayWebhookDelivery,
  requireOrgAdmin,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  webhookDeliveriesWhere,
} from '../resolvers/notifications/webhooks.ts';
import { updateNotificationSettings } from '../resolvers/risk/settings.ts';

export const NotificationTypeEnum = screamingEnum('NotificationType', NOTIFICATION_TYPES);
const WebhookEndpointStatus = screamingEnum('WebhookEndpointStatus', WEBHOOK_ENDPOINT_STATUSES);
const DeliveryStatus = screamingEnum('WebhookDeliveryStatus', ['pending', 'processing', 'delivered', 'dead']);

builder.prismaNode('Notification', {
  id: { field: 'id' },
  description: 'A notification raised once per crossing (docs/risk-and-notifications.md lists the types).',
  authScopes: (n, ctx) => isOrgAdmin(ctx, n.organizationId),
  fields: (t) => ({
    type: t.field({ type: NotificationTypeEnum, resolve: (n) => n.type as NotificationType }),
    organizationId: t.exposeString('organizationId', { nullable: true }),
    dedupeKey: t.exposeString('dedupeKey'),
    payload: t.expose('payload', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  description: 'An organization’s HTTPS endpoint for notifications, signed with Tollgate-Signature.',
  authScopes: (e, ctx) => isOrgAdmin(ctx, e.organizationId),
  fields: (t) => ({
    organizationId: t.exposeString('organizationId'),
    url: t.exposeString('url'),
    eventTypes: t.field({
      type: [NotificationTypeEnum],
      description: 'Types delivered here; empty = every type.',
      resolve: (e) => e.eventTypes as NotificationType[],
    }),
    status: t.field({
      type: WebhookEndpointStatus,
      resolve: (e) => e.status as (typeof WEBHOOK_ENDPOINT_STATUSES)[number],
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const WebhookDeliveryRef = builder.prismaObject('OutboxMessage', {
  variant: 'WebhookDelivery',
  description: 'One notification’s delivery to one endpoint (an outbox row), with its attempts.',
  fields: (t) => ({
    id: t.exposeID('id'),
    endpointId: t.string({ resolve: (m) => (m.payload as unknown as WebhookDeliveryPayload).endpointId }),
    eventId: t.string({ resolve: (m) => (m.payload as unknown as WebhookDeliveryPayload).eventId }),
    eventType: t.field({
      type: NotificationTypeEnum,
      resolve: (m) => (m.payload as unknown as WebhookDeliveryPayload).eventType,
    }),
    status: t.field({
      type: DeliveryStatus,
      resolve: (m) => m.status as 'pending' | 'processing' | 'delivered' | 'dead',
    }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
  }),
});

interface EndpointSecretShape {
  endpoint: { id: string };
  secret: string;
  previousSecretExpiresAt?: Date | null;
}

const WebhookEndpointSecret = builder.objectRef<EndpointSecretShape>('WebhookEndpointSecret').implement({
  description: 'The signing secret, shown only in this response.',
  fields: (t) => ({
    endpoint: t.prismaField({
      type: 'WebhookEndpoint',
      resolve: (query, s, _args, ctx) =>
        ctx.services.db.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: s.endpoint.id } }),
    }),
    secret: t.exposeString('secret'),
    previousSecretExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Until then the previous secret also signs (a second v1 in Tollgate-Signature).',
      resolve: (s) => s.previousSecretExpiresAt ?? null,
    }),
  }),
});

const NotificationEventRef = builder.objectRef<NotificationEvent>('NotificationEvent').implement({
  description: 'A notification as subscribers and webhooks receive it.',
  fields: (t) => ({
    id: t.exposeString('id'),
    type: t.field({ type: NotificationTypeEnum, resolve: (e) => e.type }),
    organizationId: t.exposeString('organizationId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    data: t.expose('data', { type: 'JSON' }),
  }),
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaField({
    keyScope: 'read',
    type: [WebhookEndpointRef],
    description: 'The organization’s webhook endpoints (owner/admin).',
    args: { organizationId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => orgAdminOf(args.organizationId),
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.webhookEndpoint.findMany({
        ...query,
        where: { organizationId: organizationIdArg(String(args.organizationId)) },
        orderBy: { createdAt: 'asc' },
      }),
  }),
  webhookDeliveries: t.prismaConnection({
    keyScope: 'read',
    type: WebhookDeliveryRef,
    cursor: 'id',
    description: 'Delivery log of one endpoint, newest first (owner/admin).',
    authScopes: { authenticated: true },
    args: {
      endpointId: t.arg.globalID({ required: true, for: WebhookEndpointRef }),
      status: t.arg({ type: [DeliveryStatus], required: false }),
    },
    resolve: async (query, _root, args, ctx) =>
      ctx.services.db.outboxMessage.findMany({
        ...query,
        where: await webhookDeliveriesWhere(ctx, args.endpointId.id, args.status),
        orderBy: { id: 'desc' },
      }),
  }),
  notifications: t.prismaConnection({
    keyScope: 'read',
    type: 'Notification',
    cursor: 'id',
    description: 'The organization’s notifications, newest first (owner/admin).',
    args: {
      organizationId: t.arg.id({ required: true }),
      types: t.arg({ type: [NotificationTypeEnum], required: false }),
    },
    authScopes: (_root, args) => orgAdminOf(args.organizationId),
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.notification.findMany({
        ...query,
        where: {
          organizationId: organizationIdArg(String(args.organizationId)),
          ...(args.types?.length ? { type: { in: args.types } } : {}),
        },
        orderBy: { id: 'desc' },
      }),
  }),
}));

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    url: t.string({ required: true }),
    eventTypes: t.field({
      type: [NotificationTypeEnum],
      required: false,
      description: 'Empty or absent = every type.',
    }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({ required: false }),
    eventTypes: t.field({ type: [NotificationTypeEnum], required: false }),
    status: t.field({ type: WebhookEndpointStatus, required: false }),
  }),
});

const ThresholdByCurrency = builder.inputType('BalanceThresholdByCurrencyInput', {
  fields: (t) => ({
    currency: t.string({ required: true }),
    thresholdNanos: t.field({ type: ['BigInt'], required: true }),
  }),
});

const ThresholdByWallet = builder.inputType('BalanceThresholdByWalletInput', {
  fields: (t) => ({
    walletId: t.string({ required: true }),
    thresholdNanos: t.field({ type: ['BigInt'], required: true }),
  }),
});

const NotificationSettingsInput = builder.inputType('NotificationSettingsInput', {
  description: 'Fields left out keep their value; an empty list clears one.',
  fields: (t) => ({
    emailRecipients: t.stringList({ required: false }),
    emailEventTypes: t.field({ type: [NotificationTypeEnum], required: false }),
    balanceLowThresholds: t.field({ type: [ThresholdByCurrency], required: false }),
    walletBalanceLowThresholds: t.field({ type: [ThresholdByWallet], required: false }),
    keyExpiringDays: t.int({ required: false }),
  }),
});

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    keyScope: 'manage',
    type: WebhookEndpointSecret,
    description: 'Registers an endpoint; the signing secret is in this response only (owner/admin).',
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    authScopes: (_root, args) => orgAdminOf(args.input.organizationId),
    resolve: (_root, { input }, ctx) =>
      createWebhookEndpoint(ctx, {
        organizationId: String(input.organizationId),
        url: input.url,
        eventTypes: input.eventTypes ?? [],
      }),
  }),
  rotateWebhookSecret: t.field({
    keyScope: 'manage',
    type: WebhookEndpointSecret,
    description:
      'A new signing secret; the old one keeps signing for graceSeconds (default WEBHOOK_SECRET_ROTATION_GRACE_SECONDS).',
    authScopes: { authenticated: true },
    args: {
      id: t.arg.globalID({ required: true, for: WebhookEndpointRef }),
      graceSeconds: t.arg.int({ required: false }),
    },
    resolve: (_root, args, ctx) => rotateWebhookSecret(ctx, args.id.id, args.graceSeconds),
  }),
  updateWebhookEndpoint: t.prismaField({
    keyScope: 'manage',
    type: 'WebhookEndpoint',
    authScopes: { authenticated: true },
    args: {
      id: t.arg.globalID({ required: true, for: WebhookEndpointRef }),
      input: t.arg({ type: UpdateWebhookEndpointInput, required: true }),
    },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await updateWebhookEndpoint(ctx, args.id.id, args.input);
      return ctx.services.db.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  deleteWebhookEndpoint: t.boolean({
    keyScope: 'manage',
    description: 'Removes the endpoint; its queued deliveries are dead-lettered.',
    authScopes: { authenticated: true },
    args: { id: t.arg.globalID({ required: true, for: WebhookEndpointRef }) },
    resolve: (_root, args, ctx) => deleteWebhookEndpoint(ctx, args.id.id),
  }),
  replayWebhookDelivery: t.prismaField({
    keyScope: 'manage',
    type: WebhookDeliveryRef,
    description: 'Puts a dead or pending delivery back in line for an immediate attempt.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await replayWebhookDelivery(ctx, String(args.id));
      return ctx.services.db.outboxMessage.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updateNotificationSettings: t.field({
    keyScope: 'manage',
    type: 'JSON',
    description: 'Email recipients, event types and balance thresholds of an organization (owner/admin).',
    args: {
      organizationId: t.arg.id({ required: true }),
      input: t.arg({ type: NotificationSettingsInput, required: true }),
    },
    authScopes: (_root, args) => orgAdminOf(args.organizationId),
    resolve: (_root, args, ctx) => updateNotificationSettings(ctx, String(args.organizationId), args.input),
  }),
}));

builder.subscriptionField('notificationReceived', (t) =>
  t.field({
    keyScope: 'read',
    type: NotificationEventRef,
    description: 'Every notification of the organization as it is raised (owner/admin).',
    args: { organizationId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => orgAdminOf(args.organizationId),
    subscribe: (_root, args, ctx) => {
      const organizationId = organizationIdArg(String(args.organizationId));
      requireOrgAdmin(ctx, organizationId);
      return notificationPubSub(ctx.services.pubsub).subscribe(notificationChannel(organizationId));
    },
    resolve: (event) => event,
  }),
);
