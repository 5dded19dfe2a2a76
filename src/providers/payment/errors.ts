import { AppError } from '../../lib/errors.ts';

/**
 * Errors a payment provider may throw. Every SDK or transport failure is wrapped in one of these,
 * with the original error as `cause`, so callers never see a provider SDK's own classes.
 */
export class PaymentProviderError extends AppError {
  readonly providerId: string;
  /** The provider's own error code (e.g. Stripe `card_declined`), when it gave one. */
  readonly providerCode: string | undefined;
  /** Provider request id (Stripe `req_…`), for support tickets. */
  readonly providerRequestId: string | undefined;

  constructor(
    code: string,
    message: string,
    opts: {
      providerId: string;
      status: number;
      type?: string;
      providerCode?: string | undefined;
      providerRequestId?: string | undefined;
      param?: string | undefined;
      details?: Record<string, unknown>;
      cause?: unknown;
    },
  ) {
    super(code, message, {
      status: opts.status,
      type: opts.type ?? 'payment_provider_error',
      ...(opts.param === undefined ? {} : { param: opts.param }),
      ...(opts.details === undefined ? {} : { details: opts.details }),
      cause: opts.cause,
    });
    this.providerId = opts.providerId;
    this.providerCode = opts.providerCode;
    this.providerRequestId = opts.providerRequestId;
  }
}

type ProviderErrorOpts = Omit<ConstructorParameters<typeof PaymentProviderError>[2], 'status'>;

/** The customer's payment method was declined (Stripe 402 card_error). */
export class PaymentDeclinedError extends PaymentProviderError {
  readonly declineCode: string | undefined;
  /** The provider transaction the decline belongs to, when the provider reported it. */
  readonly providerTxnId: string | undefined;
  constructor(
    message: string,
    opts: ProviderErrorOpts & { declineCode?: string | undefined; providerTxnId?: string | undefined },
  ) {
    super('PAYMENT_DECLINED', message, {
      ...opts,
      status: 402,
      type: 'card_error',
      details: { declineCode: opts.declineCode ?? null, providerCode: opts.providerCode ?? null },
    });
    this.declineCode = opts.declineCode;
    this.providerTxnId = opts.providerTxnId;
  }
}

/** The provider rejected our request as invalid (a bug on our side or bad input). */
export class ProviderInvalidRequestError extends PaymentProviderError {
  constructor(message: string, opts: ProviderErrorOpts) {
    super('PROVIDER_INVALID_REQUEST', message, { ...opts, status: 400 });
  }
}

/** The provider object does not exist (Stripe 404 resource_missing). */
export class ProviderResourceMissingError extends PaymentProviderError {
  constructor(message: string, opts: ProviderErrorOpts) {
    super('PROVIDER_RESOURCE_MISSING', message, { ...opts, status: 404 });
  }
}

/** The refund is not possible: over the refundable remainder or already fully refunded. */
export class RefundNotAllowedError extends PaymentProviderError {
  constructor(message: string, opts: ProviderErrorOpts) {
    super('REFUND_NOT_ALLOWED', message, { ...opts, status: 409 });
  }
}

/** The same idempotency key was reused with different parameters. */
export class ProviderIdempotencyError extends PaymentProviderError {
  constructor(message: string, opts: ProviderErrorOpts) {
    super('PROVIDER_IDEMPOTENCY_CONFLICT', message, { ...opts, status: 409 });
  }
}

/** The provider is down, rate limiting, or unreachable; a later retry can help. */
export class ProviderUnavailableError extends PaymentProviderError {
  constructor(message: string, opts: ProviderErrorOpts) {
    super('PROVIDER_UNAVAILABLE', message, { ...opts, status: 503, type: 'service_unavailable' });
  }
}

/** Our credentials were refused: a configuration problem, never the customer's fault. */
export class ProviderAuthError extends PaymentProviderError {
  constructor(message: string, opts: ProviderErrorOpts) {
    super('PROVIDER_AUTH', message, { ...opts, status: 500, type: 'api_error' });
  }
}

/** The webhook's signature is missing, forged, made with an unknown secret, or too old. */
export class WebhookSignatureError extends AppError {
  constructor(message: string) {
    super('WEBHOOK_SIGNATURE_INVALID', message, { status: 400 });
  }
}

/** The webhook verified but its body is not an event we can read. */
export class WebhookPayloadError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('WEBHOOK_PAYLOAD_INVALID', message, { status: 400, cause });
  }
}

export class AmountTooSmallError extends AppError {
  constructor(currency: string, amountMinor: bigint, minimumMinor: bigint) {
    super(
      'AMOUNT_TOO_SMALL',
      `Amount ${amountMinor} ${currency} (minor units) is below the minimum charge of ${minimumMinor}`,
      { status: 400, param: 'amount', details: { currency, minimumMinor: minimumMinor.toString() } },
    );
  }
}

export class AmountTooLargeError extends AppError {
  constructor(currency: string, amountMinor: bigint, reason: string) {
    super('AMOUNT_TOO_LARGE', `Amount ${amountMinor} ${currency} (minor units) ${reason}`, {
      status: 400,
      param: 'amount',
      details: { currency },
    });
  }
}

/** A provider id that the registry does not know, in config or at a call site. */
export class UnknownProviderError extends AppError {
  constructor(id: string, known: readonly string[]) {
    super('UNKNOWN_PROVIDER', `Unknown payment provider '${id}' (known: ${known.join(', ')})`, {
      status: 400,
      details: { provider: id },
    });
  }
}

export { InvalidAmountError, UnsupportedCurrencyError } from '../../lib/money.ts';
