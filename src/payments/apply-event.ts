import { logger } from '../lib/logger.ts';
import type { NormalisedPaymentEvent } from '../providers/payment/types.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import { closeDispute, openDispute } from './disputes.ts';
import { findPayment } from './find-payment.ts';
import { markFailed, markSucceeded, moveTo } from './payment-states.ts';
import { findOrAdoptRefund } from './refund-events.ts';
import { finalizeRefund } from './refund-finalize.ts';

/**
 * Applies a normalised provider event. Idempotent: safe to call again with the same event (states
 * only move forward, every posting is bound to an idempotency key). Throws when the provider
 * cannot be asked, so the event is processed again later.
 */
export async function applyEvent(
  deps: PaymentsDeps,
  providerId: string,
  event: NormalisedPaymentEvent,
): Promise<void> {
  switch (event.type) {
    case 'payment.succeeded': {
      const p = await findPayment(deps, providerId, event);
      if (p) await markSucceeded(deps, p, { event });
      return;
    }
    case 'payment.failed': {
      const p = await findPayment(deps, providerId, event);
      if (p) await markFailed(deps, p, event.failureCode ?? event.declineCode, event.failureMessage);
      return;
    }
    case 'payment.processing':
    case 'payment.canceled': {
      const p = await findPayment(deps, providerId, event);
      if (!p) return;
      // Canceled is final (a later success is no longer credited): only on the provider's word.
      if (event.type === 'payment.canceled' && p.providerTxnId) {
        const q = await providerOf(deps, providerId).query(p.providerTxnId);
        if (q.status !== 'canceled') {
          logger.warn(
            { paymentId: p.id, providerStatus: q.status },
            'cancellation reported but the provider does not confirm it; ignored',
          );
          return;
        }
      }
      await moveTo(deps, p, event.type === 'payment.processing' ? 'processing' : 'canceled');
      return;
    }
    case 'refund.succeeded':
    case 'refund.failed': {
      const refund = await findOrAdoptRefund(deps, providerId, event);
      if (!refund) return;
      if (event.type === 'refund.succeeded') await finalizeRefund(deps, refund, 'succeeded', null);
      else await finalizeRefund(deps, refund, 'failed', event.failureReason);
      return;
    }
    case 'refund.pending':
      await findOrAdoptRefund(deps, providerId, event);
      return;
    case 'dispute.opened':
      await openDispute(deps, providerId, event);
      return;
    case 'dispute.closed':
      await closeDispute(deps, providerId, event);
      return;
    case 'ignored':
      logger.debug({ eventId: event.eventId, reason: event.reason }, 'provider event ignored');
      return;
  }
}
