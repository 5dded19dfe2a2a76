import type { Context } from '../../context.ts';
import { authorizeRefund } from '../../graphql/access/payments.ts';
import { decodeId } from '../../graphql/ids.ts';

export interface RefundPaymentArgs {
  paymentId: string | number;
  amount?: bigint | null;
  reason?: string | null;
  idempotencyKey: string;
}

/** Platform admins, or the payment organization's owner with the billing scope. */
export async function refundPayment(ctx: Context, input: RefundPaymentArgs) {
  const paymentId = await authorizeRefund(ctx, input.paymentId);
  return ctx.services.payments.refundPayment({
    paymentId,
    amountMinor: input.amount ?? null,
    reason: input.reason ?? null,
    idempotencyKey: input.idempotencyKey,
    requestId: ctx.requestId,
  });
}

/** Releases the credit of a payment frozen for risk review (the field admits platform admins only). */
export async function releasePaymentReview(ctx: Context, paymentIdArg: string | number) {
  const id = decodeId(paymentIdArg, 'Payment');
  await ctx.services.payments.releaseReview(id);
  return { id };
}
