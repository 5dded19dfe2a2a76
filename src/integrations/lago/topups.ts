import { AppError } from '../../lib/errors.ts';
import { uuidv7 } from '../../lib/ids.ts';
import { PermanentDeliveryError } from '../../outbox/worker.ts';
import { LagoApiError, lagoCall } from './client.ts';
import type { LagoContext } from './context.ts';
import { ensureLagoCustomer } from './customers.ts';
import { type BillingOwner, LAGO_SYSTEM, minorToCredits, toJsonInteger } from './mapping.ts';

/** Lago has not issued the credit invoice of a paid top-up yet (it does so asynchronously). */
export class LagoInvoicePendingError extends AppError {
  constructor(walletTransactionId: string) {
    super('LAGO_INVOICE_PENDING', `Lago has not issued the credit invoice of ${walletTransactionId} yet`, {
      status: 503,
    });
  }
}

export const TOPUP_METADATA_KEY = 'tollgate_payment_id';
export const REFUND_METADATA_KEY = 'tollgate_refund_id';

interface WalletTransactionView {
  lago_id: string;
  status: string;
  transaction_status: string;
  lago_invoice_id: string | null;
  metadata?: { key: string; value: string }[] | null;
}

/**
 * Finds the wallet transaction an earlier attempt created, by the Tollgate id stored in its
 * metadata. wallet_transactions are not idempotent in Lago, so every create is preceded by this.
 */
export async function findWalletTransactionByMetadata(
  ctx: Pick<LagoContext, 'api'>,
  walletId: string,
  transactionStatus: 'purchased' | 'granted' | 'voided',
  key: string,
  value: string,
): Promise<WalletTransactionView | undefined> {
  return findWalletTransaction(ctx, walletId, transactionStatus, (t) =>
    Boolean(t.metadata?.some((m) => m.key === key && m.value === value)),
  );
}

/**
 * Reads wallet transactions through `GET /wallets/{id}/wallet_transactions` (its response shape
 * is the same in the spec and in Lago's code; the single-transaction read is not).
 */
export async function findWalletTransaction(
  ctx: Pick<LagoContext, 'api'>,
  walletId: string,
  transactionStatus: 'purchased' | 'granted' | 'voided',
  match: (t: WalletTransactionView) => boolean,
): Promise<WalletTransactionView | undefined> {
  for (let page = 1; ; page++) {
    const res = await lagoCall('findAllWalletTransactions', () =>
      ctx.api.wallets.findAllWalletTransactions(walletId, {
        transaction_status: transactionStatus,
        page,
        per_page: 100,
      } as any),
    );
    const hit = (res.wallet_transactions as WalletTransactionView[]).find(match);
    if (hit) return hit;
    if (!res.meta.next_page) return undefined;
  }
}

export async function loadTopUp(ctx: LagoContext, paymentId: string) {
  const payment = await ctx.db.payment.findUnique({ where: { id: paymentId }, include: { order: true } });
  if (!payment) throw new PermanentDeliveryError(`payment ${paymentId} not found`);
  const wallet = await ctx.db.wallet.findUnique({ where: { id: payment.order.walletId } });
  if (!wallet) throw new PermanentDeliveryError(`wallet ${payment.order.walletId} not found`);
  const owner: BillingOwner = {
    ownerType: wallet.ownerType,
    ownerId: wallet.ownerId,
    currency: wallet.currency,
  };
  return { payment, owner };
}

/**
 * Mirrors one succeeded Tollgate payment into the Lago wallet of its owner:
 * 1. `paid_credits` wallet transaction with the payment ids in metadata (guarded: looked up first),
 *    or `granted_credits` in the granted_credits mode (settled at once, no invoice);
 * 2. once Lago issued the credit invoice, records the payment: `PUT /invoices/{id}` payment_status
 *    succeeded (invoice_status), or premium `POST /payments` with the payment reference
 *    (manual_payment, guarded by listing the invoice's payments).
 * Throws LagoInvoicePendingError while the invoice does not exist, so the outbox retries.
 */
export async function syncTopUp(ctx: LagoContext, paymentId: string): Promise<void> {
  const { payment, owner } = await loadTopUp(ctx, paymentId);
  if (payment.status !== 'succeeded' && payment.status !== 'refunded')
    throw new PermanentDeliveryError(`payment ${paymentId} is ${payment.status}, not succeeded`);
  const customer = await ensureLagoCustomer(ctx, owner);
  const mode = ctx.config.LAGO_PAYMENT_MODE;
  const where = {
    system_entityType_entityId_scope: {
      system: LAGO_SYSTEM,
      entityType: 'payment',
      entityId: payment.id,
      scope: 'topup',
    },
  };
  const mapping = await ctx.db.externalMapping.findUnique({ where });
  if (mapping?.syncState === 'synced') return;

  const transactionStatus = mode === 'granted_credits' ? 'granted' : 'purchased';
  let txId = mapping?.externalId;
  if (!txId) {
    const earlier = await findWalletTransactionByMetadata(
      ctx,
      customer.walletId,
      transactionStatus,
      TOPUP_METADATA_KEY,
      payment.id,
    );
    if (earlier) txId = earlier.lago_id;
    else {
      const credits = minorToCredits(payment.amountMinor, payment.currency);
      const metadata = [
        { key: TOPUP_METADATA_KEY, value: payment.id },
        { key: 'tollgate_order_id', value: payment.orderId },
        { key: 'provider', value: payment.provider },
        ...(payment.providerTxnId ? [{ key: 'provider_payment_id', value: payment.providerTxnId }] : []),
      ];
      const created = await lagoCall('createWalletTransaction', () =>
        ctx.api.walletTransactions.createWalletTransaction({
          wallet_transaction: {
            wallet_id: customer.walletId,
            ...(mode === 'granted_credits' ? { granted_credits: credits } : { paid_credits: credits }),
            name: 'Tollgate top-up',
            metadata,
          },
        } as any),
      );
      txId = (created.wallet_transactions as WalletTransactionView[])[0]!.lago_id;
    }
    await ctx.db.externalMapping.upsert({
      where,
      create: {
        id: uuidv7(),
        system: LAGO_SYSTEM,
        entityType: 'payment',
        entityId: payment.id,
        scope: 'topup',
        externalId: txId,
        syncState: 'pending',
        data: { externalCustomerId: customer.externalCustomerId, walletId: customer.walletId, mode },
      },
      update: { externalId: txId },
    });
  }

  const id = txId;
  const tx = await findWalletTransaction(ctx, customer.walletId, transactionStatus, (t) => t.lago_id === id);
  if (!tx) throw new PermanentDeliveryError(`Lago wallet transaction ${txId} not found`);
  if (tx.status === 'failed') throw new PermanentDeliveryError(`Lago wallet transaction ${txId} failed`);
  if (tx.status !== 'settled') {
    if (!tx.lago_invoice_id) throw new LagoInvoicePendingError(txId);
    await recordInvoicePayment(ctx, tx.lago_invoice_id, payment);
  }
  await ctx.db.externalMapping.update({
    where,
    data: {
      syncState: 'synced',
      syncError: null,
      syncedAt: ctx.clock(),
      data: {
        externalCustomerId: customer.externalCustomerId,
        walletId: customer.walletId,
        mode,
        invoiceId: tx.lago_invoice_id,
      },
    },
  });
}

function paymentReference(payment: { id: string; providerTxnId: string | null }): string {
  return payment.providerTxnId ?? payment.id;
}

async function recordInvoicePayment(
  ctx: LagoContext,
  invoiceId: string,
  payment: { id: string; providerTxnId: string | null; amountMinor: bigint; succeededAt: Date | null },
): Promise<void> {
  if (ctx.config.LAGO_PAYMENT_MODE === 'manual_payment') {
    const reference = paymentReference(payment);
    const existing = await lagoCall('findAllPayments', () =>
      ctx.api.payments.findAllPayments({ invoice_id: invoiceId, per_page: 100 } as any),
    );
    if ((existing.payments as { reference: string }[]).some((p) => p.reference === reference)) return;
    try {
      await lagoCall('createPayment', () =>
        ctx.api.payments.createPayment({
          payment: {
            invoice_id: invoiceId,
            amount_cents: toJsonInteger(payment.amountMinor),
            reference,
            ...(payment.succeededAt ? { paid_at: payment.succeededAt.toISOString().slice(0, 10) } : {}),
          },
        }),
      );
    } catch (err) {
      if (err instanceof LagoApiError && err.lagoStatus === 403)
        throw new PermanentDeliveryError(
          `LAGO_PAYMENT_MODE=manual_payment needs Lago premium (POST /payments answered 403 ${err.body?.code})`,
        );
      throw err;
    }
    return;
  }
  await lagoCall('updateInvoice', () =>
    ctx.api.invoices.updateInvoice(invoiceId, { invoice: { payment_status: 'succeeded' } } as any),
  );
}
