import { Counter } from 'prom-client';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Metrics } from '../http/metrics.ts';
import type { Router } from '../http/router.ts';
import { inboxHandler } from '../inbox/provider-inbox.ts';
import { enqueueLagoRefund, enqueueLagoTopUp } from '../integrations/lago/enqueue.ts';
import { lagoEnabled } from '../integrations/lago/handlers.ts';
import type { OutboxWorker } from '../outbox/worker.ts';
import { type PaymentProvidersConfig, createPaymentProviders } from '../providers/payment/registry.ts';
import type { RiskServices } from '../risk/service.ts';
import type { BillingMirror, PaymentsDeps } from './deps.ts';
import { type PaymentService, createPaymentService } from './payment-service.ts';
import { startPaymentReconciler } from './reconciler.ts';
import { parseTopUpProviders } from './top-up-providers.ts';
import {
  type PaymentRoutesDeps,
  paymentStatusRoute,
  returnPageRoute,
  topUpPageRoute,
  webhookRoute,
} from './routes.ts';
import { PAYMENT_EVENT_TOPIC, applyStoredEvent } from './webhook-inbox.ts';

/** What building the payments flow takes from the process; nothing else of it is seen. */
export interface PaymentsWiringDeps {
  config: PaymentProvidersConfig &
    Pick<
      Config,
      | 'REFUND_SPENT_CREDIT_POLICY'
      | 'LAGO_API_URL'
      | 'LAGO_API_KEY'
      | 'LAGO_EVENTS_ENABLED'
      | 'TOP_UP_PROVIDERS'
    >;
  db: Db;
  ledger: PaymentsDeps['ledger'];
  risk: Pick<RiskServices, 'payments'>;
  notifications: PaymentsDeps['notifications'];
  clock: () => Date;
  metrics: Pick<Metrics, 'registry'>;
  outbox: Pick<OutboxWorker, 'register'>;
}

/** Lago mirrors succeeded top-ups and refunds (src/integrations/lago), when it is configured. */
const lagoBilling: BillingMirror = {
  enqueueTopUp: (tx, input) => enqueueLagoTopUp(tx, input),
  enqueueRefund: (tx, input) => enqueueLagoRefund(tx, input),
};

/**
 * Builds the payments flow over the enabled providers (PAYMENT_PROVIDERS) and registers the outbox
 * job that applies stored provider webhooks.
 */
export function createPayments(wiring: PaymentsWiringDeps): PaymentService {
  const signatureFailures = new Counter({
    name: 'tollgate_webhook_rejected_total',
    help: 'Inbound payment webhooks rejected (bad signature or payload), by provider',
    labelNames: ['provider'] as const,
    registers: [wiring.metrics.registry],
  });
  const providers = createPaymentProviders(wiring.config);
  const deps: PaymentsDeps = {
    db: wiring.db,
    ledger: wiring.ledger,
    providers,
    topUpProviders: parseTopUpProviders(wiring.config.TOP_UP_PROVIDERS, [...providers.keys()]),
    risk: wiring.risk.payments,
    notifications: wiring.notifications,
    clock: wiring.clock,
    billing: lagoEnabled(wiring.config) ? lagoBilling : null,
    refundSpentCreditPolicy: wiring.config.REFUND_SPENT_CREDIT_POLICY,
  };
  wiring.outbox.register(PAYMENT_EVENT_TOPIC, inboxHandler(wiring.db, wiring.clock, applyStoredEvent(deps)));
  return createPaymentService({
    ...deps,
    onWebhookSignatureFailure: (provider) => signatureFailures.inc({ provider }),
  });
}

export function registerPaymentRoutes(router: Router, deps: PaymentRoutesDeps): void {
  router
    .on('POST', '/webhooks/:provider', webhookRoute(deps))
    .on('GET', '/pay/:paymentId', topUpPageRoute(deps))
    .on('GET', '/pay/:paymentId/return', returnPageRoute())
    .on('GET', '/pay/:paymentId/status', paymentStatusRoute(deps));
}

export function startPaymentJobs(deps: {
  payments: PaymentService;
  config: Pick<Config, 'PAYMENT_RECONCILE_INTERVAL_MS' | 'PAYMENT_RECONCILE_AFTER_MS'>;
}): () => Promise<void> {
  return startPaymentReconciler(deps.payments, {
    intervalMs: deps.config.PAYMENT_RECONCILE_INTERVAL_MS,
    olderThanMs: deps.config.PAYMENT_RECONCILE_AFTER_MS,
  });
}
