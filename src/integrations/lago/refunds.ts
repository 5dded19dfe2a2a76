import { uuidv7 } from '../../lib/ids.ts';
import { PermanentDeliveryError } from '../../outbox/worker.ts';
import { LagoApiError, lagoCall } from './client.ts';
import type { LagoContext } from './context.ts';
import { ensureLagoCustomer } from './customers.ts';
import { LAGO_SYSTEM, minorToCredits, toJsonInteger } from './mapping.ts';
import { REFUND_METADATA_KEY, findWalletTransactionByMetadata, loadTopUp, syncTopUp } from './topups.ts';

/**
 * Mirrors one succeeded refund. Tollgate refunds through the payment provider itself; Lago only
 * learns that the credits are gone:
 * - invoice_status / granted_credits: a `voided_credits` wallet transaction (free), guarded by the
 *   refund id in its metadata;
 * - manual_payment (premium): a credit note on the top-up's credit invoice with
 *   `refund_amount_cents`, which makes Lago void the credits itself; guarded by the refund id in
 *   the credit note's metadata.
 * A void larger than Lago's balance (credits already consumed by usage invoices) cannot succeed
 * on retry and is dead-lettered for an operator.
 */
export async function syncRefund(ctx: LagoContext, refundId: string): Promise<void> {
  const refund = await ctx.db.refund.findUnique({ where: { id: refundId } });
  if (!refund) throw new PermanentDeliveryError(`refund ${refundId} not found`);
  if (refund.status !== 'succeeded')
    throw new PermanentDeliveryError(`refund ${refundId} is ${refund.status}`);
  const where = {
    system_entityType_entityId_scope: {
      system: LAGO_SYSTEM,
      entityType: 'refund',
      entityId: refund.id,
      scope: 'refund',
    },
  };
  const mapping = await ctx.db.externalMapping.findUnique({ where });
  if (mapping?.syncState === 'synced') return;
  const { owner } = await loadTopUp(ctx, refund.paymentId);
  const customer = await ensureLagoCustomer(ctx, owner);
  let externalId: string;

  if (ctx.config.LAGO_PAYMENT_MODE === 'manual_payment') {
    // The credit note needs the top-up recorded first (its invoice and payment).
    await syncTopUp(ctx, refund.paymentId);
    const topUp = await ctx.db.externalMapping.findUniqueOrThrow({
      where: {
        system_entityType_entityId_scope: {
          system: LAGO_SYSTEM,
          entityType: 'payment',
          entityId: refund.paymentId,
          scope: 'topup',
        },
      },
    });
    const invoiceId = (topUp.data as { invoiceId?: string }).invoiceId;
    if (!invoiceId) throw new PermanentDeliveryError(`top-up ${refund.paymentId} has no Lago credit invoice`);
    externalId = await ensureCreditNote(ctx, customer.externalCustomerId, invoiceId, refund);
  } else {
    const earlier = await findWalletTransactionByMetadata(
      ctx,
      customer.walletId,
      'voided',
      REFUND_METADATA_KEY,
      refund.id,
    );
    if (earlier) externalId = earlier.lago_id;
    else {
      try {
        const created = await lagoCall('createWalletTransaction', () =>
          ctx.api.walletTransactions.createWalletTransaction({
            wallet_transaction: {
              wallet_id: customer.walletId,
              voided_credits: minorToCredits(refund.amountMinor, refund.currency),
              name: 'Tollgate refund',
              metadata: [
                { key: REFUND_METADATA_KEY, value: refund.id },
                { key: 'tollgate_refunded_payment_id', value: refund.paymentId },
                ...(refund.providerRefundId
                  ? [{ key: 'provider_refund_id', value: refund.providerRefundId }]
                  : []),
              ],
            },
          } as any),
        );
        externalId = created.wallet_transactions[0]!.lago_id;
      } catch (err) {
        if (err instanceof LagoApiError && err.hasDetail('voided_credits', 'insufficient_credits'))
          throw new PermanentDeliveryError(
            `Lago wallet balance is below the refund ${refund.id}: ${err.message}`,
          );
        throw err;
      }
    }
  }
  const data = { externalCustomerId: customer.externalCustomerId, mode: ctx.config.LAGO_PAYMENT_MODE };
  await ctx.db.externalMapping.upsert({
    where,
    create: {
      id: uuidv7(),
      system: LAGO_SYSTEM,
      entityType: 'refund',
      entityId: refund.id,
      scope: 'refund',
      externalId,
      syncState: 'synced',
      data,
      syncedAt: ctx.clock(),
    },
    update: { externalId, syncState: 'synced', data, syncedAt: ctx.clock() },
  });
}

async function ensureCreditNote(
  ctx: LagoContext,
  externalCustomerId: string,
  invoiceId: string,
  refund: { id: string; amountMinor: bigint },
): Promise<string> {
  for (let page = 1; ; page++) {
    const res = await lagoCall('findAllCreditNotes', () =>
      ctx.api.creditNotes.findAllCreditNotes({
        external_customer_id: externalCustomerId,
        page,
        per_page: 100,
      } as any),
    );
    const hit = (res.credit_notes as any[]).find(
      (c) => c.lago_invoice_id === invoiceId && metadataValue(c.metadata, REFUND_METADATA_KEY) === refund.id,
    );
    if (hit) return hit.lago_id;
    if (!res.meta.next_page) break;
  }
  const invoice = (await lagoCall('findInvoice', () => ctx.api.invoices.findInvoice(invoiceId)))
    .invoice as any;
  const feeId = invoice.fees?.[0]?.lago_id;
  if (!feeId) throw new PermanentDeliveryError(`Lago credit invoice ${invoiceId} has no fee`);
  const amount = toJsonInteger(refund.amountMinor);
  try {
    const created = await lagoCall('createCreditNote', () =>
      ctx.api.creditNotes.createCreditNote({
        credit_note: {
          invoice_id: invoiceId,
          reason: 'other',
          description: `Tollgate refund ${refund.id}`,
          items: [{ fee_id: feeId, amount_cents: amount }],
          refund_amount_cents: amount,
          credit_amount_cents: 0,
          metadata: { [REFUND_METADATA_KEY]: refund.id },
        },
      } as any),
    );
    return created.credit_note.lago_id;
  } catch (err) {
    if (err instanceof LagoApiError && (err.lagoStatus === 403 || err.lagoStatus === 422))
      throw new PermanentDeliveryError(`Lago credit note for refund ${refund.id} rejected: ${err.message}`);
    throw err;
  }
}

function metadataValue(metadata: unknown, key: string): string | undefined {
  if (Array.isArray(metadata)) return metadata.find((m) => m?.key === key)?.value;
  if (metadata && typeof metadata === 'object') return (metadata as Record<string, string>)[key];
  return undefined;
}
