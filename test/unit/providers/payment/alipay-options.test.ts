import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import {
  ALIPAY_SANDBOX_GATEWAY_URL,
  alipayOptionsSchema,
} from '../../../../src/providers/payment/alipay/options.ts';
import { createPaymentProviders } from '../../../../src/providers/payment/registry.ts';
import { selfSignedCertificate } from '../../../doubles/alipay/certificates.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pkcs1Base64 = privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
const spkiBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

const env = {
  PAYMENT_PROVIDERS: 'alipay',
  ALIPAY_APP_ID: '2021000000000001',
  ALIPAY_APP_PRIVATE_KEY: pkcs8,
  ALIPAY_PUBLIC_KEY: spkiBase64,
  ALIPAY_NOTIFY_URL: 'https://gateway.example.com/webhooks/alipay',
};

/** A self-signed certificate made at test time (certificate mode needs three). */
const selfSigned = (name: string): string =>
  selfSignedCertificate(
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    name,
  );

describe('Alipay options, validated at boot', () => {
  it('builds the provider in public-key mode from PEM or bare base64 keys, PKCS#1 or PKCS#8', () => {
    expect(createPaymentProviders(loadConfig(env)).get('alipay')?.id).toBe('alipay');
    expect(
      createPaymentProviders(loadConfig({ ...env, ALIPAY_APP_PRIVATE_KEY: pkcs1Base64 })).get('alipay')?.id,
    ).toBe('alipay');
    const oneLine = pkcs8.replaceAll('\n', '\\n');
    expect(
      createPaymentProviders(loadConfig({ ...env, ALIPAY_APP_PRIVATE_KEY: oneLine })).get('alipay')?.id,
    ).toBe('alipay');
  });

  it('chooses the sandbox gateway when ALIPAY_SANDBOX is set and no gateway URL is given', () => {
    const parsed = alipayOptionsSchema.parse({
      appId: env.ALIPAY_APP_ID,
      appPrivateKey: pkcs8,
      alipayPublicKey: spkiBase64,
      notifyUrl: env.ALIPAY_NOTIFY_URL,
      sandbox: true,
    });
    expect(parsed.gatewayUrl).toBe(ALIPAY_SANDBOX_GATEWAY_URL);
    expect(parsed.appPrivateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('fails fast naming the variable, without echoing a key', () => {
    const fails = (over: Record<string, string>, message: RegExp) => {
      let error: unknown;
      try {
        createPaymentProviders(loadConfig({ ...env, ...over }));
      } catch (e) {
        error = e;
      }
      expect((error as Error | undefined)?.message).toMatch(message);
      expect((error as Error).message).not.toContain(pkcs1Base64.slice(20, 60));
    };
    fails({ ALIPAY_APP_ID: '123' }, /ALIPAY_APP_ID: must be the 16-digit app id/);
    fails({ ALIPAY_NOTIFY_URL: '' }, /ALIPAY_NOTIFY_URL: the notify URL/);
    fails(
      { ALIPAY_APP_PRIVATE_KEY: `${pkcs1Base64.slice(0, 200)}x` },
      /ALIPAY_APP_PRIVATE_KEY: must be an RSA private key/,
    );
    fails({ ALIPAY_PUBLIC_KEY: 'not-a-key' }, /ALIPAY_PUBLIC_KEY: must be the Alipay RSA public key/);
    fails(
      { ALIPAY_PUBLIC_KEY: '' },
      /ALIPAY_PUBLIC_KEY: the Alipay public key \(public-key mode\) or the three certificates/,
    );
    fails({ ALIPAY_SELLER_ID: '1234' }, /ALIPAY_SELLER_ID: must be the 16-digit Alipay user id/);
    const cert = selfSigned('some');
    fails(
      { ALIPAY_APP_CERT: cert },
      /ALIPAY_PUBLIC_KEY: set either the Alipay public key or the three certificates/,
    );
    fails(
      { ALIPAY_PUBLIC_KEY: '', ALIPAY_APP_CERT: cert, ALIPAY_PUBLIC_CERT: cert },
      /ALIPAY_APP_CERT: certificate mode needs all three/,
    );
    fails(
      { ALIPAY_PUBLIC_KEY: '', ALIPAY_APP_CERT: 'junk', ALIPAY_PUBLIC_CERT: cert, ALIPAY_ROOT_CERT: cert },
      /ALIPAY_APP_CERT: must be the app public key certificate/,
    );
  });

  it('refuses a plain-http gateway in production', () => {
    expect(() =>
      loadConfig({ ...env, NODE_ENV: 'production', ALIPAY_GATEWAY_URL: 'http://127.0.0.1:1/gateway.do' }),
    ).toThrow(/ALIPAY_GATEWAY_URL: must be https when NODE_ENV=production/);
  });

  it('builds the provider in certificate mode from the three certificates', () => {
    const certs = {
      ALIPAY_PUBLIC_KEY: '',
      ALIPAY_APP_CERT: selfSigned('app'),
      ALIPAY_PUBLIC_CERT: selfSigned('alipay'),
      ALIPAY_ROOT_CERT: selfSigned('root'),
    };
    expect(createPaymentProviders(loadConfig({ ...env, ...certs })).get('alipay')?.id).toBe('alipay');
  });
});
