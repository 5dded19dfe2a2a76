/** An error response exactly as Stripe shapes it (stripe.md §5). */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: {
      type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
      message: string;
      code?: string;
      param?: string;
      decline_code?: string;
      charge?: string;
      payment_intent?: Record<string, unknown>;
    },
  ) {
    super(error.message);
  }

  body(requestId: string): Record<string, unknown> {
    const { code } = this.error;
    return {
      error: {
        ...this.error,
        ...(code ? { doc_url: `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}` } : {}),
        request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
      },
    };
  }
}

export const invalid = (message: string, extra: { code?: string; param?: string } = {}) =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...extra });

export const missing = (resource: string, id: string, param = 'id') =>
  new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${resource}: '${id}'`,
  });

export const unknownParameter = (name: string) =>
  invalid(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });

export const parameterMissing = (name: string) =>
  invalid(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });
