import { LagoApiError, lagoCall, lagoFind } from './client.ts';
import type { LagoContext } from './context.ts';
import { planCodeFor } from './mapping.ts';

/**
 * Creates, when missing, the billable metric (sum_agg on total_tokens) and one plan per currency
 * with a dynamic charge (bills the events' precise_total_amount_cents, i.e. Tollgate's exact
 * cost). Operators may do the same in the Lago UI instead (docs/billing_and_lago.md); existing
 * objects are left as they are.
 */
export async function ensureLagoBillingSetup(
  ctx: Pick<LagoContext, 'api' | 'config'>,
  currencies: string[],
  opts: { chargeModel?: 'dynamic' | 'standard'; unitAmount?: string } = {},
): Promise<void> {
  const code = ctx.config.LAGO_BILLABLE_METRIC_CODE;
  let metric = (await lagoFind('findBillableMetric', () => ctx.api.billableMetrics.findBillableMetric(code)))
    ?.billable_metric;
  if (!metric) {
    metric = (
      await lagoCall('createBillableMetric', () =>
        ctx.api.billableMetrics.createBillableMetric({
          billable_metric: {
            name: 'LLM tokens',
            code,
            aggregation_type: 'sum_agg',
            field_name: 'total_tokens',
            recurring: false,
          },
        } as any),
      )
    ).billable_metric;
  }
  for (const currency of currencies) {
    const planCode = planCodeFor(ctx.config.LAGO_PLAN_CODE, currency);
    if (await lagoFind('findPlan', () => ctx.api.plans.findPlan(planCode))) continue;
    const chargeModel = opts.chargeModel ?? 'dynamic';
    try {
      await lagoCall('createPlan', () =>
        ctx.api.plans.createPlan({
          plan: {
            name: `Tollgate usage (${currency.toUpperCase()})`,
            code: planCode,
            interval: 'monthly',
            amount_cents: 0,
            amount_currency: currency.toUpperCase(),
            pay_in_advance: false,
            charges: [
              {
                billable_metric_id: metric!.lago_id,
                charge_model: chargeModel,
                properties: chargeModel === 'standard' ? { amount: opts.unitAmount ?? '0.000002' } : {},
              },
            ],
          },
        } as any),
      );
    } catch (err) {
      if (!(err instanceof LagoApiError && err.hasDetail('code', 'value_already_exist'))) throw err;
    }
  }
}
