import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.ts';
import { lagoEnabled } from '../../../../src/integrations/lago/handlers.ts';

describe('Lago configuration', () => {
  it('turns Lago deliveries on by default when a URL is set, and off without one', () => {
    const on = loadConfig({ LAGO_API_URL: 'http://127.0.0.1:3000', LAGO_API_KEY: 'k' });
    expect(on).toMatchObject({
      LAGO_EVENTS_ENABLED: true,
      LAGO_PAYMENT_MODE: 'invoice_status',
      LAGO_WEBHOOK_SIGNATURE: 'hmac',
      LAGO_EVENTS_BATCH_SIZE: 100,
    });
    expect(lagoEnabled(on)).toBe(true);
    expect(lagoEnabled(loadConfig({}))).toBe(false);
    expect(
      lagoEnabled(
        loadConfig({ LAGO_API_URL: 'http://x:3000', LAGO_API_KEY: 'k', LAGO_EVENTS_ENABLED: 'false' }),
      ),
    ).toBe(false);
  });

  it("rejects a batch size above Lago's 100, an unknown payment mode and a public key that is not a base64 PEM", () => {
    expect(() => loadConfig({ LAGO_EVENTS_BATCH_SIZE: '101' })).toThrow(/LAGO_EVENTS_BATCH_SIZE/);
    expect(() => loadConfig({ LAGO_PAYMENT_MODE: 'stripe' })).toThrow(/LAGO_PAYMENT_MODE/);
    expect(() => loadConfig({ LAGO_WEBHOOK_PUBLIC_KEY: 'not-a-key' })).toThrow(/LAGO_WEBHOOK_PUBLIC_KEY/);
    const pem = Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n').toString(
      'base64',
    );
    expect(loadConfig({ LAGO_WEBHOOK_PUBLIC_KEY: pem }).LAGO_WEBHOOK_PUBLIC_KEY).toBe(pem);
  });
});
