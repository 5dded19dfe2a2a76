import { beforeAll, describe, expect, it } from 'vitest';
import { verifyLagoWebhook } from '../../../../src/integrations/lago/webhooks.ts';
import { LagoDouble } from '../../../doubles/lago/server.ts';

const lago = new LagoDouble({ apiUrl: 'https://lago.example.com' });
type VerifyConfig = Parameters<typeof verifyLagoWebhook>[2];
const hmacConfig: VerifyConfig = {
  LAGO_API_URL: 'https://lago.example.com',
  LAGO_WEBHOOK_SIGNATURE: 'hmac',
  LAGO_WEBHOOK_HMAC_KEY: lago.hmacKey,
  LAGO_WEBHOOK_PUBLIC_KEY: undefined,
};
let jwtConfig: VerifyConfig;

describe('verifyLagoWebhook', () => {
  beforeAll(() => {
    jwtConfig = {
      ...hmacConfig,
      LAGO_WEBHOOK_SIGNATURE: 'jwt',
      LAGO_WEBHOOK_PUBLIC_KEY: lago.publicKeyBase64,
    };
  });
  const invoice = { lago_id: 'inv_1', payment_status: 'succeeded' };

  it('accepts an HMAC-signed body and returns its unique key and type', async () => {
    const { body, headers } = lago.buildWebhook('invoice.payment_status_updated', 'invoice', invoice, 'hmac');
    const event = await verifyLagoWebhook(headers, body, hmacConfig);
    expect(event).toMatchObject({
      uniqueKey: headers['x-lago-unique-key'],
      webhookType: 'invoice.payment_status_updated',
      objectType: 'invoice',
      payload: { invoice },
    });
  });

  it('rejects an HMAC signature made with another key or over another body', async () => {
    const { body, headers } = lago.buildWebhook('invoice.created', 'invoice', invoice, 'hmac');
    await expect(
      verifyLagoWebhook(headers, body, { ...hmacConfig, LAGO_WEBHOOK_HMAC_KEY: 'another-key' }),
    ).rejects.toMatchObject({ code: 'INVALID_LAGO_SIGNATURE', status: 400 });
    await expect(
      verifyLagoWebhook(headers, body.replace('inv_1', 'inv_2'), hmacConfig),
    ).rejects.toMatchObject({
      code: 'INVALID_LAGO_SIGNATURE',
    });
  });

  it('accepts an RS256 JWT whose data is the raw body and whose issuer is the Lago URL', async () => {
    const { body, headers } = lago.buildWebhook(
      'wallet_transaction.updated',
      'wallet_transaction',
      { lago_id: 't' },
      'jwt',
    );
    await expect(verifyLagoWebhook(headers, body, jwtConfig)).resolves.toMatchObject({
      webhookType: 'wallet_transaction.updated',
    });
  });

  it('rejects a JWT over another body, from another issuer, signed by another key, or an HMAC header when JWT is configured', async () => {
    const { body, headers } = lago.buildWebhook('invoice.created', 'invoice', invoice, 'jwt');
    await expect(verifyLagoWebhook(headers, `${body} `, jwtConfig)).rejects.toMatchObject({
      code: 'INVALID_LAGO_SIGNATURE',
    });
    await expect(
      verifyLagoWebhook(headers, body, { ...jwtConfig, LAGO_API_URL: 'https://evil.example.com' }),
    ).rejects.toMatchObject({ code: 'INVALID_LAGO_SIGNATURE' });
    const other = new LagoDouble({ apiUrl: 'https://lago.example.com' });
    const forged = other.buildWebhook('invoice.created', 'invoice', invoice, 'jwt');
    await expect(verifyLagoWebhook(forged.headers, forged.body, jwtConfig)).rejects.toThrow(/does not match/);
    const hmac = lago.buildWebhook('invoice.created', 'invoice', invoice, 'hmac');
    await expect(verifyLagoWebhook(hmac.headers, hmac.body, jwtConfig)).rejects.toThrow(/algorithm/);
  });

  it('fetches the public key when none is configured', async () => {
    const { body, headers } = lago.buildWebhook('invoice.created', 'invoice', invoice, 'jwt');
    let fetched = 0;
    const event = await verifyLagoWebhook(
      headers,
      body,
      { ...jwtConfig, LAGO_WEBHOOK_PUBLIC_KEY: undefined },
      {
        fetchPublicKey: async () => {
          fetched++;
          return lago.publicKeyBase64;
        },
      },
    );
    expect(event.objectType).toBe('invoice');
    expect(fetched).toBe(1);
  });
});
