import type { Context } from '../../context.ts';
import { resolveTopUpOwner, topUpOrganization } from '../../graphql/access/payments.ts';
import type { OwnerType } from '../../payments/payment-service.ts';
import type { PaymentPresentation } from '../../providers/payment/types.ts';
import { isMember } from '../../identity/principal.ts';

export interface CreateTopUpArgs {
  organizationId?: string | number | null;
  owner?: { type: OwnerType; id: string | number } | null;
  currency: string;
  amount: bigint;
  provider?: string | null;
  idempotencyKey: string;
  returnUrl?: string | null;
  presentation?: PaymentPresentation | null;
}

/**
 * Starts a top-up of the wallet the caller may credit (billing scope), and says how a front end
 * collects it: Stripe's publishable key and our hosted payment page, the client secret in the
 * fragment so it never reaches a server log; for Alipay the QR code's content or the cashier's URL.
 */
export async function createTopUp(ctx: Context, input: CreateTopUpArgs) {
  const { principal: p, organizationId } = await topUpOrganization(ctx, input.organizationId);
  const owner = await resolveTopUpOwner(ctx, organizationId, input.owner);
  const { config } = ctx.services;
  const base = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
  const result = await ctx.services.payments.createTopUp({
    organizationId,
    userId: isMember(p) ? p.userId : null,
    owner,
    currency: input.currency,
    amountMinor: input.amount,
    provider: input.provider ?? undefined,
    idempotencyKey: input.idempotencyKey,
    returnUrl: input.returnUrl ?? undefined,
    presentation: input.presentation ?? undefined,
    userAgent: ctx.userAgent ?? undefined,
    pagesBaseUrl: base,
    requestId: ctx.requestId,
  });
  const pageSecret = result.clientSecret ?? result.pageSecret;
  return {
    ...result,
    publishableKey: result.provider === 'stripe' ? (config.STRIPE_PUBLISHABLE_KEY ?? null) : null,
    paymentPageUrl: pageSecret
      ? `${base}/pay/${encodeURIComponent(result.paymentId)}#${encodeURIComponent(pageSecret)}`
      : null,
  };
}
