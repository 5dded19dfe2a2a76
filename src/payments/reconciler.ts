import { logger } from '../lib/logger.ts';
import type { PaymentService } from './payment-service.ts';

/** Periodically asks providers about stuck payments (a lost webhook never loses a top-up). */
export function startPaymentReconciler(
  payments: PaymentService,
  opts: { intervalMs: number; olderThanMs: number },
): () => Promise<void> {
  if (opts.intervalMs <= 0 || payments.providerIds.length === 0) return async () => {};
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = payments
      .reconcileStuckPayments({ olderThanMs: opts.olderThanMs })
      .then((changed) => {
        if (changed.length) logger.info({ changed }, 'payments reconciled with the provider');
      })
      .catch((err) => logger.error({ err }, 'payment reconciliation failed'));
  }, opts.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
