import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';

/** Alipay's production gateway (OpenAPI 2.0) and the sandbox's (open.alipay.com → 沙箱). */
export const ALIPAY_GATEWAY_URL = 'https://openapi.alipay.com/gateway.do';
export const ALIPAY_SANDBOX_GATEWAY_URL = 'https://openapi-sandbox.dl.alipaydev.com/gateway.do';

/** Env files often carry a PEM on one line with literal `\n`; the key tools print bare base64. */
const fromEnvText = (v: string) => v.trim().replaceAll('\\n', '\n');

/** Never throws: zod runs refinements even after `.url()` failed. */
const isHttpUrl = (v: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

const derOf = (v: string) => Buffer.from(v.replace(/\s+/g, ''), 'base64');

/** Any private key form Alipay's key tool or openssl produces → PKCS#8 PEM, or null if unreadable. */
export function toPkcs8Pem(value: string): string | null {
  const v = fromEnvText(value);
  const attempts: Array<() => ReturnType<typeof createPrivateKey>> = v.includes('-----BEGIN')
    ? [() => createPrivateKey(v)]
    : [
        () => createPrivateKey({ key: derOf(v), format: 'der', type: 'pkcs8' }),
        () => createPrivateKey({ key: derOf(v), format: 'der', type: 'pkcs1' }),
      ];
  for (const attempt of attempts) {
    try {
      const key = attempt();
      if (key.asymmetricKeyType !== 'rsa') return null;
      return key.export({ type: 'pkcs8', format: 'pem' }).toString();
    } catch {
      // try the next encoding
    }
  }
  return null;
}

/** A public key as PEM or bare base64 (SPKI) → SPKI PEM, or null if unreadable. */
export function toSpkiPem(value: string): string | null {
  const v = fromEnvText(value);
  try {
    const key = v.includes('-----BEGIN')
      ? createPublicKey(v)
      : createPublicKey({ key: derOf(v), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') return null;
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return null;
  }
}

const readableCert = (v: string) => {
  try {
    // The root certificate file holds several certificates; the first must parse.
    new X509Certificate(fromEnvText(v));
    return true;
  } catch {
    return false;
  }
};

const pem = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .refine(readableCert, `must be the ${what} (PEM, as downloaded from open.alipay.com)`)
    .transform(fromEnvText);

export const alipayOptionsSchema = z
  .object({
    /** The app's id on open.alipay.com (16 digits). */
    appId: z.string().regex(/^\d{16}$/, 'must be the 16-digit app id from open.alipay.com'),
    /** RSA2 app private key: PKCS#1 or PKCS#8, PEM or bare base64. Normalised to PKCS#8 PEM. */
    appPrivateKey: z
      .string()
      .min(1, 'the app private key (RSA2) is required')
      .transform((v, ctx) => {
        const key = toPkcs8Pem(v);
        if (!key) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be an RSA private key (PKCS#1 or PKCS#8, PEM or base64)',
          });
          return z.NEVER;
        }
        return key;
      }),
    /** Public-key mode: "支付宝公钥". Exclusive with the three certificates. */
    alipayPublicKey: z
      .string()
      .transform((v, ctx) => {
        const key = toSpkiPem(v);
        if (!key) {
          ctx.addIssue({ code: 'custom', message: 'must be the Alipay RSA public key (PEM or base64)' });
          return z.NEVER;
        }
        return key;
      })
      .optional(),
    /** Certificate mode: 应用公钥证书, 支付宝公钥证书, 支付宝根证书. */
    appCert: pem('app public key certificate').optional(),
    alipayPublicCert: pem('Alipay public key certificate').optional(),
    alipayRootCert: pem('Alipay root certificate').optional(),
    sandbox: z.boolean().default(false),
    /** Override for tests: the local double's `/gateway.do`. */
    gatewayUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL').optional(),
    /** Where Alipay posts asynchronous notifications: our `/webhooks/alipay`. */
    notifyUrl: z
      .string()
      .min(1, 'the notify URL (our /webhooks/alipay, reachable from Alipay) is required')
      .refine(isHttpUrl, 'must be an http(s) URL'),
    returnUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL').optional(),
    /** The merchant's Alipay user id (2088…): checked against each notification's seller_id when set. */
    sellerId: z
      .string()
      .regex(/^2088\d{12}$/, 'must be the 16-digit Alipay user id starting 2088')
      .optional(),
    /** How long a buyer has to pay (timeout_express), in minutes: Alipay allows 1m to 15d. */
    payTimeoutMinutes: z.number().int().min(1).max(21_600).default(30),
    /** The page shown to a desktop browser: a QR code to scan (precreate) or Alipay's own cashier page. */
    defaultPresentation: z.enum(['qr_code', 'page']).default('qr_code'),
    subject: z.string().min(1).max(256).default('Account top-up'),
    timeoutMs: z.number().int().min(100).default(10_000),
  })
  .superRefine((o, ctx) => {
    const certs = [o.appCert, o.alipayPublicCert, o.alipayRootCert].filter((c) => c !== undefined);
    if (o.alipayPublicKey !== undefined && certs.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['alipayPublicKey'],
        message: 'set either the Alipay public key or the three certificates, not both',
      });
    } else if (o.alipayPublicKey === undefined && certs.length !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: [certs.length === 0 ? 'alipayPublicKey' : 'appCert'],
        message:
          certs.length === 0
            ? 'the Alipay public key (public-key mode) or the three certificates (certificate mode) are required'
            : 'certificate mode needs all three: app certificate, Alipay public certificate, Alipay root certificate',
      });
    }
  })
  .transform((o) => ({
    ...o,
    gatewayUrl: o.gatewayUrl ?? (o.sandbox ? ALIPAY_SANDBOX_GATEWAY_URL : ALIPAY_GATEWAY_URL),
  }));

export type AlipayOptionsInput = z.input<typeof alipayOptionsSchema>;
export type AlipayOptions = z.output<typeof alipayOptionsSchema>;

/** Maps option fields to the environment variables they come from, for start-up error messages. */
export const alipayOptionEnvNames: Partial<Record<keyof AlipayOptions, string>> = {
  appId: 'ALIPAY_APP_ID',
  appPrivateKey: 'ALIPAY_APP_PRIVATE_KEY',
  alipayPublicKey: 'ALIPAY_PUBLIC_KEY',
  appCert: 'ALIPAY_APP_CERT',
  alipayPublicCert: 'ALIPAY_PUBLIC_CERT',
  alipayRootCert: 'ALIPAY_ROOT_CERT',
  sandbox: 'ALIPAY_SANDBOX',
  gatewayUrl: 'ALIPAY_GATEWAY_URL',
  notifyUrl: 'ALIPAY_NOTIFY_URL',
  returnUrl: 'PAYMENT_RETURN_URL',
  sellerId: 'ALIPAY_SELLER_ID',
  payTimeoutMinutes: 'ALIPAY_PAY_TIMEOUT_MINUTES',
  defaultPresentation: 'ALIPAY_DEFAULT_PRESENTATION',
};
