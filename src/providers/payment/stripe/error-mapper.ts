import Stripe from 'stripe';
import { AppError } from '../../../lib/errors.ts';
import {
  PaymentDeclinedError,
  PaymentProviderError,
  ProviderAuthError,
  ProviderIdempotencyError,
  ProviderInvalidRequestError,
  ProviderResourceMissingError,
  ProviderUnavailableError,
  RefundNotAllowedError,
} from '../errors.ts';

const PROVIDER_ID = 'stripe';

/** Wraps anything the Stripe SDK throws in a typed error; our own AppErrors pass through. */
export function wrapStripeError(err: unknown, operation: 'create' | 'refund' | 'query'): AppError {
  if (err instanceof AppError) return err;
  if (!(err instanceof Stripe.errors.StripeError)) {
    return new ProviderUnavailableError('Stripe call failed unexpectedly', {
      providerId: PROVIDER_ID,
      cause: err,
    });
  }
  const opts = {
    providerId: PROVIDER_ID,
    providerCode: err.code,
    providerRequestId: err.requestId,
    param: err.param,
    cause: err,
  };
  const message = `Stripe: ${err.message}`;

  if (err instanceof Stripe.errors.StripeCardError) {
    return new PaymentDeclinedError(message, {
      ...opts,
      declineCode: err.decline_code,
      providerTxnId: err.payment_intent?.id,
    });
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) return new ProviderIdempotencyError(message, opts);
  if (
    err instanceof Stripe.errors.StripeAuthenticationError ||
    err instanceof Stripe.errors.StripePermissionError
  ) {
    // Never the customer's fault, and the message may echo part of the key: keep it generic.
    return new ProviderAuthError('Stripe refused our API credentials', opts);
  }
  if (
    err instanceof Stripe.errors.StripeRateLimitError ||
    err instanceof Stripe.errors.StripeConnectionError
  ) {
    return new ProviderUnavailableError(message, opts);
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError) {
    if (err.statusCode === 404 || err.code === 'resource_missing') {
      return new ProviderResourceMissingError(message, opts);
    }
    if (
      operation === 'refund' &&
      (err.code === 'charge_already_refunded' || err.code === 'amount_too_large')
    ) {
      return new RefundNotAllowedError(message, opts);
    }
    if (err.code === 'amount_too_large') {
      return new PaymentProviderError('AMOUNT_TOO_LARGE', message, { ...opts, status: 400 });
    }
    if (err.code === 'amount_too_small') {
      return new PaymentProviderError('AMOUNT_TOO_SMALL', message, { ...opts, status: 400 });
    }
    return new ProviderInvalidRequestError(message, opts);
  }
  // StripeAPIError: 5xx, 409 idempotency_key_in_use after the SDK's own retries, anything unknown.
  return new ProviderUnavailableError(message, opts);
}
