import { Counter } from 'prom-client';
import { lagoEnabled } from '../integrations/lago/handlers.ts';
import { createPaymentProviders } from '../providers/payment/registry.ts';
import type { Router } from '../http/router.ts';
import type { Services } from '../services.ts';
import { PaymentService } from './payment-service.ts';
import { startPaymentReconciler } from './reconciler.ts';
import { paymentStatusRoute, returnPageRoute, topUpPageRoute, webhookRoute } from './routes.ts';

/** Builds the payments flow over the enabled providers (PAYMENT_PROVIDERS) and its routes. */
export function createPayments(services: Omit<Services, 'payments'>): PaymentService {
  const signatureFailures = new Counter({
    name: 'tollgate_webhook_rejected_total',
    help: 'Inbound payment webhooks rejected (bad signature or payload), by provider',
    labelNames: ['provider'] as const,
    registers: [services.metrics.registry],
  });
  return new PaymentService({
    db: services.db,
    ledger: services.ledger,
    providers: createPaymentProviders(services.config),
    risk: services.risk,
    notifications: services.notifications,
    clock: services.clock,
    lagoEnabled: lagoEnabled(services.config),
    refundSpentCreditPolicy: services.config.REFUND_SPENT_CREDIT_POLICY,
    onWebhookSignatureFailure: (provider) => signatureFailures.inc({ provider }),
  });
}

export function registerPaymentRoutes(router: Router, services: Services): void {
  router
    .on('POST', '/webhooks/:provider', webhookRoute(services))
    .on('GET', '/pay/:paymentId', topUpPageRoute(services))
    .on('GET', '/pay/:paymentId/return', returnPageRoute(services))
    .on('GET', '/pay/:paymentId/status', paymentStatusRoute(services));
}

export function startPaymentJobs(services: Services): () => Promise<void> {
  return startPaymentReconciler(services.payments, {
    intervalMs: services.config.PAYMENT_RECONCILE_INTERVAL_MS,
    olderThanMs: services.config.PAYMENT_RECONCILE_AFTER_MS,
  });
}
