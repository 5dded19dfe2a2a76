import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { verifyStripeSignature } from '../../../../src/providers/payment/stripe/signature.ts';
import { newWebhookSecret, stripeSignatureHeader } from '../../../doubles/stripe/signing.ts';

const sdk = new Stripe('sk_test_unit', { apiVersion: '2026-10-28.endive', telemetry: false });
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' }, null, 2);
const body = Buffer.from(payload);
const nowMs = 1_764_028_800_000;
const nowS = nowMs / 1000;

const verify = (
  header: string | undefined,
  secrets: string[],
  opts: { rawBody?: Buffer; tolerance?: number } = {},
) =>
  verifyStripeSignature({
    header,
    rawBody: opts.rawBody ?? body,
    secrets,
    toleranceSeconds: opts.tolerance ?? 300,
    nowMs,
  });

describe('Stripe webhook signature verification', () => {
  const secret = newWebhookSecret();

  it('accepts a header made by the SDK generateTestHeaderString', () => {
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: nowS });
    expect(verify(header, [secret])).toEqual({ timestamp: nowS });
  });

  it('agrees with the SDK constructEvent on headers made by the double (v0 ignored)', () => {
    const header = stripeSignatureHeader({
      payload,
      secrets: [secret],
      timestampSeconds: Math.floor(Date.now() / 1000),
    });
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v0=[0-9a-f]{64}$/);
    expect(sdk.webhooks.constructEvent(payload, header, secret).id).toBe('evt_1');
    const ts = Number(/t=(\d+)/.exec(header)?.[1]);
    expect(
      verifyStripeSignature({
        header,
        rawBody: body,
        secrets: [secret],
        toleranceSeconds: 300,
        nowMs: ts * 1000,
      }),
    ).toEqual({ timestamp: ts });
  });

  it('rejects a tampered body, a wrong secret, and a stale timestamp', () => {
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: nowS });
    const tampered = Buffer.from(payload.replace('succeeded', 'succeedeD'));
    expect(() => verify(header, [secret], { rawBody: tampered })).toThrow(
      /No Stripe-Signature v1 signature matches/,
    );
    expect(() => verify(header, [newWebhookSecret()])).toThrow(/No Stripe-Signature v1 signature matches/);
    const stale = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: nowS - 301 });
    expect(() => verify(stale, [secret])).toThrow(/old \(tolerance 300s\)/);
  });

  it('accepts an old timestamp when the tolerance is 0 and a future one always, like the SDK', () => {
    const old = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: nowS - 86_400 });
    expect(verify(old, [secret], { tolerance: 0 }).timestamp).toBe(nowS - 86_400);
    const future = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: nowS + 3600 });
    expect(verify(future, [secret]).timestamp).toBe(nowS + 3600);
  });

  it('during a rotation accepts a header carrying either secret, and any of several v1 values', () => {
    const oldSecret = newWebhookSecret();
    const both = stripeSignatureHeader({ payload, secrets: [secret, oldSecret], timestampSeconds: nowS });
    expect(both.match(/v1=/g)).toHaveLength(2);
    expect(verify(both, [oldSecret]).timestamp).toBe(nowS);
    expect(verify(both, [secret]).timestamp).toBe(nowS);
    const onlyOld = stripeSignatureHeader({ payload, secrets: [oldSecret], timestampSeconds: nowS });
    expect(verify(onlyOld, [secret, oldSecret]).timestamp).toBe(nowS);
    expect(() => verify(onlyOld, [secret])).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });

  it('rejects headers with only v0, no timestamp, or nothing, with a 400 typed error', () => {
    const v0Only = stripeSignatureHeader({ payload, secrets: [], timestampSeconds: nowS });
    for (const h of [v0Only, 'v1=abc', '', undefined, `t=${nowS}`]) {
      expect(() => verify(h, [secret])).toThrow(
        expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID', status: 400 }),
      );
    }
  });
});
