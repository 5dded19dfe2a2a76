import { builder } from '../builder.ts';
import { screamingEnum } from './enums.ts';
import {
  RECONCILIATION_KINDS,
  type ReconciliationDifference,
  type ReconciliationReport,
  type ReconciliationRow,
  reconcileLago,
  recordReconciliationMetrics,
} from '../integrations/lago/reconcile.ts';
import { ServiceUnavailableError, ValidationError } from '../lib/errors.ts';

const Kind = screamingEnum('LagoReconciliationKind', RECONCILIATION_KINDS);

const Difference = builder.objectRef<ReconciliationDifference>('LagoReconciliationDifference').implement({
  fields: (t) => ({
    kind: t.field({ type: Kind, resolve: (d) => d.kind }),
    reference: t.exposeString('reference'),
    detail: t.exposeString('detail'),
  }),
});

const Row = builder.objectRef<ReconciliationRow>('LagoReconciliationRow').implement({
  description: 'Tollgate vs Lago for one Lago customer and UTC day.',
  fields: (t) => ({
    externalCustomerId: t.exposeString('externalCustomerId'),
    day: t.exposeString('day'),
    usageRecords: t.exposeInt('usageRecords'),
    usageDelivered: t.exposeInt('usageDelivered'),
    usageChecked: t.exposeInt('usageChecked'),
    usageConfirmed: t.exposeInt('usageConfirmed'),
    totalTokens: t.exposeInt('totalTokens'),
    costNanos: t.field({ type: 'BigInt', resolve: (r) => r.costNanos }),
    topUps: t.exposeInt('topUps'),
    topUpsConfirmed: t.exposeInt('topUpsConfirmed'),
    refunds: t.exposeInt('refunds'),
    refundsConfirmed: t.exposeInt('refundsConfirmed'),
    differences: t.field({ type: [Difference], resolve: (r) => r.differences }),
  }),
});

const Report = builder.objectRef<ReconciliationReport>('LagoReconciliation').implement({
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime' }),
    differenceCount: t.exposeInt('differenceCount'),
    rows: t.field({ type: [Row], resolve: (r) => r.rows }),
  }),
});

builder.queryField('lagoReconciliation', (t) =>
  t.field({
    keyScope: 'read',
    type: Report,
    // Reads Lago's acknowledgements for the whole period.
    complexity: 200,
    description:
      'Compares usage records, top-ups and refunds with what Lago acknowledged, per customer and UTC day (platform admin).',
    authScopes: { platformAdmin: true },
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      samplePerDay: t.arg.int({
        required: false,
        description: 'Usage records looked up in Lago per customer and day; all when omitted.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const lago = ctx.services.lago;
      if (!lago) throw new ServiceUnavailableError('Lago is not configured', 'LAGO_NOT_CONFIGURED');
      if (args.to <= args.from) throw new ValidationError('`to` must be after `from`', { param: 'to' });
      const report = await reconcileLago(lago.ctx, {
        from: args.from,
        to: args.to,
        ...(args.samplePerDay != null ? { samplePerDay: args.samplePerDay } : {}),
      });
      recordReconciliationMetrics(ctx.services.metrics.registry, report);
      return report;
    },
  }),
);
