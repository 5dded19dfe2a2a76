import { AlipayRequestError, type AlipaySdkCommonResult } from 'alipay-sdk';
import { AppError } from '../../../lib/errors.ts';
import {
  PaymentProviderError,
  ProviderAuthError,
  ProviderIdempotencyError,
  ProviderInvalidRequestError,
  ProviderResourceMissingError,
  ProviderUnavailableError,
  RefundNotAllowedError,
} from '../errors.ts';

const PROVIDER_ID = 'alipay';

/** Gateway codes (opendocs.alipay.com/common/02km9f): 10000 success, the rest failures. */
const GATEWAY_UNAVAILABLE = '20000';
const GATEWAY_AUTH = new Set(['20001', '40006']);

/** sub_codes meaning "the trade or request is not what you think": a retry with other input, not later. */
const REFUND_REFUSALS = new Set([
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
  'ACQ.TRADE_HAS_CLOSE',
  'ACQ.TRADE_HAS_FINISHED',
  'ACQ.TRADE_STATUS_ERROR',
  'ACQ.REFUND_CHARGE_ERROR',
  'ACQ.REASON_TRADE_REFUND_FEE_ERR',
]);
const IDEMPOTENCY_CONFLICTS = new Set(['ACQ.CONTEXT_INCONSISTENT', 'ACQ.DISCORDANT_REPEAT_REQUEST']);
/** Ours to retry later: Alipay says so, or the merchant's balance cannot pay the refund yet. */
const RETRY_LATER = new Set(['ACQ.SYSTEM_ERROR', 'ACQ.SELLER_BALANCE_NOT_ENOUGH', 'aop.ACQ.SYSTEM_ERROR']);
const AUTH_SUB_CODES =
  /^isv\.(invalid-signature|invalid-app-id|invalid-signature-type|insufficient-isv-permissions|app-unauthorized|invalid-app-cert-sn|invalid-alipay-root-cert-sn)/;

/**
 * A `*_response` that is not 10000 → a typed error. `operation` decides what a refusal means:
 * over-refunding is REFUND_NOT_ALLOWED, not a bad request.
 */
export function alipayResultError(
  result: AlipaySdkCommonResult,
  operation: 'create' | 'refund' | 'query' | 'close',
): AppError {
  const subCode = typeof result.sub_code === 'string' ? result.sub_code : undefined;
  const opts = {
    providerId: PROVIDER_ID,
    providerCode: subCode ?? result.code,
    providerRequestId: typeof result.traceId === 'string' ? result.traceId : undefined,
  };
  const message = `Alipay: ${result.msg ?? ''}${result.sub_msg ? ` (${subCode}: ${result.sub_msg})` : ''}`;
  if (result.code === GATEWAY_UNAVAILABLE || (subCode && RETRY_LATER.has(subCode)))
    return new ProviderUnavailableError(message, opts);
  // Never the customer's fault, and the verification string may echo our parameters: keep it generic.
  if (GATEWAY_AUTH.has(result.code) || (subCode && AUTH_SUB_CODES.test(subCode)))
    return new ProviderAuthError('Alipay refused our app credentials or signature', opts);
  if (subCode === 'ACQ.TRADE_NOT_EXIST') return new ProviderResourceMissingError(message, opts);
  if (subCode && IDEMPOTENCY_CONFLICTS.has(subCode)) return new ProviderIdempotencyError(message, opts);
  if (operation === 'refund' && subCode && REFUND_REFUSALS.has(subCode))
    return new RefundNotAllowedError(message, opts);
  if (subCode === 'ACQ.TOTAL_FEE_EXCEED')
    return new PaymentProviderError('AMOUNT_TOO_LARGE', message, { ...opts, status: 400 });
  return new ProviderInvalidRequestError(message, opts);
}

/**
 * Anything the SDK throws → a typed error; our own AppErrors pass through. Transport failures, HTTP
 * errors and answers whose signature does not verify are all "no trustworthy answer": the call
 * may have taken effect, so they are PROVIDER_UNAVAILABLE (ambiguous), never a definite refusal.
 */
export function wrapAlipayError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const opts = {
    providerId: PROVIDER_ID,
    providerRequestId: err instanceof AlipayRequestError ? err.traceId : undefined,
    cause: err,
  };
  if (err instanceof AlipayRequestError && /验签/.test(err.message))
    return new ProviderUnavailableError(
      'Alipay answer failed signature verification (check ALIPAY_PUBLIC_KEY)',
      opts,
    );
  return new ProviderUnavailableError('Alipay call failed without a verified answer', opts);
}
