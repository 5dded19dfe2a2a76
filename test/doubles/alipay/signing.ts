import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';

/**
 * Alipay open platform signing (RSA2 = SHA256withRSA, base64), as opendocs.alipay.com/common/02kf5q
 * describes and alipay-sdk v4 (`src/util.ts` sign, `checkNotifySign`) implements:
 * - a request: every parameter but `sign` and empty values, sorted by name, `k=v` joined by `&`;
 * - a response: the exact JSON text of the `<method>_response` value;
 * - an asynchronous notification: every parameter but `sign` and `sign_type`, sorted, `k=v&…`.
 */

export interface RsaKeyPair {
  /** PKCS#8 PEM. Generated per test run: never committed. */
  readonly privateKeyPem: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
}

export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const sortedContent = (params: Readonly<Record<string, string>>, skip: readonly string[]): string =>
  Object.keys(params)
    .filter((k) => !skip.includes(k) && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');

export const requestSignContent = (params: Readonly<Record<string, string>>): string =>
  sortedContent(params, ['sign']);

export const notifySignContent = (params: Readonly<Record<string, string>>): string =>
  sortedContent(params, ['sign', 'sign_type']);

export const rsa2Sign = (privateKeyPem: string, content: string): string =>
  createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');

export function rsa2Verify(publicKeyPem: string, content: string, signature: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

/** Signs a notification's parameters with `privateKeyPem`, as Alipay signs what it posts to notify_url. */
export function signNotification(
  params: Readonly<Record<string, string>>,
  privateKeyPem: string,
): Record<string, string> {
  const out: Record<string, string> = { ...params, sign_type: 'RSA2' };
  delete out.sign;
  out.sign = rsa2Sign(privateKeyPem, notifySignContent(out));
  return out;
}

/** The form body Alipay posts: application/x-www-form-urlencoded, UTF-8. */
export const formBody = (params: Readonly<Record<string, string>>): Buffer =>
  Buffer.from(new URLSearchParams(params).toString(), 'utf8');
