import { logger } from '../lib/logger.ts';
import type { PaymentService } from './payment-service.ts';

/**
 * Periodically asks providers about stuck payments, then stuck refunds, so a lost webhook (or a
 * refund request that never reached the provider) never loses or strands money.
 */
export function startPaymentReconciler(
  payments: PaymentService,
  opts: { intervalMs: number; olderThanMs: number },
): () => Promise<void> {
  if (opts.intervalMs <= 0 || payments.providerIds.length === 0) return async () => {};
  let running: Promise<unknown> = Promise.resolve();
  const run = async () => {
    try {
      const changed = await payments.reconcileStuckPayments({ olderThanMs: opts.olderThanMs });
      if (changed.length) logger.info({ changed }, 'payments reconciled with the provider');
    } catch (err) {
      logger.error({ err }, 'payment reconciliation failed');
    }
    try {
      const changed = await payments.reconcileStuckRefunds({ olderThanMs: opts.olderThanMs });
      if (changed.length) logger.info({ changed }, 'refunds reconciled with the provider');
    } catch (err) {
      logger.error({ err }, 'refund reconciliation failed');
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    // One run at a time: a slow provider must not stack runs up.
    if (busy) return;
    busy = true;
    running = run().finally(() => {
      busy = false;
    });
  }, opts.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
