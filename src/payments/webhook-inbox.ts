import { type StoredInboxEvent, receiveEvent } from '../inbox/provider-inbox.ts';
import { PermanentDeliveryError } from '../outbox/worker.ts';
import type {
  NormalisedPaymentEventType,
  PaymentProvider,
  WebhookHeaders,
} from '../providers/payment/types.ts';
import { applyEvent } from './apply-event.ts';
import { type PaymentsDeps, providerOf } from './deps.ts';
import { decodeEvent, encodeEvent } from './event-codec.ts';

/** The outbox topic whose jobs apply stored payment provider events. */
export const PAYMENT_EVENT_TOPIC = 'payments.provider-event';

/**
 * `POST /webhooks/:provider`, after the body was read: the provider verifies the signature and
 * normalises the event (no provider call), which is stored with its raw body and one job in the
 * inbox (src/inbox/provider-inbox.ts); the worker applies it. Works for every registered provider.
 * @throws UnknownProviderError (404), WebhookSignatureError / WebhookPayloadError (400): nothing stored.
 */
export async function receiveWebhook(
  deps: PaymentsDeps & { onWebhookSignatureFailure?: (provider: string) => void },
  providerId: string,
  headers: WebhookHeaders,
  rawBody: Buffer,
): Promise<{
  duplicate: boolean;
  type: NormalisedPaymentEventType;
  acknowledgement: PaymentProvider['webhookAcknowledgement'];
}> {
  const provider = providerOf(deps, providerId);
  let event: Awaited<ReturnType<typeof provider.handleWebhook>>;
  try {
    event = await provider.handleWebhook(headers, rawBody);
  } catch (err) {
    deps.onWebhookSignatureFailure?.(providerId);
    throw err;
  }
  const { duplicate } = await receiveEvent(deps.db, PAYMENT_EVENT_TOPIC, {
    provider: provider.id,
    eventId: event.eventId,
    type: event.providerEventType,
    rawBody,
    decoded: encodeEvent(event),
  });
  return { duplicate, type: event.type, acknowledgement: provider.webhookAcknowledgement };
}

/** Applies one stored payment event (the inbox job's work). */
export function applyStoredEvent(deps: PaymentsDeps) {
  return async (stored: StoredInboxEvent): Promise<void> => {
    if (stored.decoded === null)
      throw new PermanentDeliveryError(`${stored.provider} event ${stored.eventId} has no decoded form`);
    await applyEvent(deps, stored.provider, decodeEvent(stored.decoded));
  };
}
