import { builder } from '../builder.ts';
import { type Readiness, checkReadiness } from '../infra/readiness.ts';

const ComponentStatus = builder.objectRef<Readiness['components'][number]>('ComponentStatus').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    ok: t.exposeBoolean('ok'),
    detail: t.exposeString('detail', { nullable: true }),
  }),
});

const Health = builder.objectRef<Readiness>('Health').implement({
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    degraded: t.exposeBoolean('degraded', {
      description: 'An upstream circuit breaker is not closed (the gateway is up, an upstream is failing).',
    }),
    components: t.expose('components', { type: [ComponentStatus] }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    keyScope: 'none',
    type: Health,
    description: 'Readiness of the gateway and the services it depends on (same as GET /readyz).',
    resolve: (_root, _args, ctx) => checkReadiness(ctx.services),
  }),
);
