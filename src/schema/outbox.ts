import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import { replayOutboxMessage } from '../outbox/worker.ts';
import { NotFoundError } from '../lib/errors.ts';

const OUTBOX_STATUSES = ['pending', 'processing', 'delivered', 'dead'] as const;
const OutboxStatus = screamingEnum('OutboxStatus', OUTBOX_STATUSES);

builder.prismaNode('OutboxMessage', {
  id: { field: 'id' },
  authScopes: { platformAdmin: true },
  fields: (t) => ({
    topic: t.exposeString('topic'),
    orderingKey: t.exposeString('orderingKey', { nullable: true }),
    status: t.field({ type: OutboxStatus, resolve: (m) => m.status as (typeof OUTBOX_STATUSES)[number] }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    payload: t.expose('payload', { type: 'JSON' }),
    requestId: t.exposeString('requestId', { nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('outboxDeliveries', (t) =>
  t.prismaConnection({
    keyScope: 'read',
    type: 'OutboxMessage',
    cursor: 'id',
    description: 'Deliveries to external systems (platform admin).',
    authScopes: { platformAdmin: true },
    args: {
      status: t.arg({ type: [OutboxStatus], required: false }),
      topic: t.arg.string({ required: false }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.outboxMessage.findMany({
        ...query,
        where: {
          ...(args.status?.length ? { status: { in: args.status } } : {}),
          ...(args.topic ? { topic: args.topic } : {}),
        },
        orderBy: { id: 'desc' },
      }),
  }),
);

builder.mutationField('replayDelivery', (t) =>
  t.prismaField({
    keyScope: 'manage',
    type: 'OutboxMessage',
    description: 'Puts a dead or pending delivery back in line for an immediate attempt (platform admin).',
    authScopes: { platformAdmin: true },
    args: { id: t.arg.globalID({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = args.id.id;
      if (!(await replayOutboxMessage(ctx.services.db, id)))
        throw new NotFoundError('Dead or pending delivery', id);
      return ctx.services.db.outboxMessage.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);
