import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../src/notifications/signature.ts';

describe('Tollgate-Signature', () => {
  const body = '{"id":"ntf_1","type":"balance_low"}';
  const t = 1_760_000_000;

  it('is t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>, Stripe style', () => {
    const expected = createHmac('sha256', 'whsec_a').update(`${t}.${body}`).digest('hex');
    expect(signWebhook(['whsec_a'], t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it('signs with every active secret during a rotation, and either verifies', () => {
    const header = signWebhook(['whsec_new', 'whsec_old'], t, body);
    expect(header.match(/v1=/g)).toHaveLength(2);
    for (const secret of ['whsec_new', 'whsec_old'])
      expect(verifyWebhookSignature({ header, body, secret, toleranceSeconds: 300, nowMs: t * 1000 })).toBe(
        true,
      );
    expect(
      verifyWebhookSignature({ header, body, secret: 'whsec_other', toleranceSeconds: 300, nowMs: t * 1000 }),
    ).toBe(false);
  });

  it('fails for a changed body or an old timestamp', () => {
    const header = signWebhook(['whsec_a'], t, body);
    expect(
      verifyWebhookSignature({
        header,
        body: `${body} `,
        secret: 'whsec_a',
        toleranceSeconds: 300,
        nowMs: t * 1000,
      }),
    ).toBe(false);
    expect(
      verifyWebhookSignature({
        header,
        body,
        secret: 'whsec_a',
        toleranceSeconds: 300,
        nowMs: (t + 301) * 1000,
      }),
    ).toBe(false);
  });
});
