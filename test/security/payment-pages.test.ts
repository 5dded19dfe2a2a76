import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecretDigest } from '../../src/payments/client-secret.ts';
import { dbId, type StripeGateway, startStripeGateway } from '../integration/payments/stripe-gateway.ts';

/**
 * The hosted payment pages (`/pay/<id>`, `/pay/<id>/return`, `/pay/<id>/status`) and the client
 * secret behind them, attacked by someone who learned a payment id (a shared screenshot, a log, a
 * support ticket) or read the database. See docs/security.md, "Payment webhooks".
 */
const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  clientSecret idempotencyHit payment { id } } }`;

describe('hosted payment pages and client secrets under attack', () => {
  let gw: StripeGateway;
  beforeAll(async () => {
    gw = await startStripeGateway({ name: 'pages_attack', org: 'Pages Co', email: 'owner@pages.test' });
  });
  afterAll(async () => gw?.close());

  const topUp = async (idempotencyKey: string) => {
    const res = await gw.t.gql(
      CREATE_TOP_UP,
      { input: { currency: 'USD', amount: '4321', idempotencyKey } },
      { token: gw.key },
    );
    const top = res.data.createTopUp;
    return { ...top, paymentId: dbId(top.payment.id) } as {
      clientSecret: string;
      idempotencyHit: boolean;
      paymentId: string;
    };
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${gw.t.url}${path}`, { headers });
    return { status: res.status, text: await res.text() };
  };

  it('answers /pay/<id>/status with 404, as for an unknown id, to a party that has only the payment id or a wrong secret', async () => {
    const top = await topUp('status-probe');
    const unknown = await get('/pay/pay_0190000000007000800000000000000/status');
    for (const attempt of [
      await get(`/pay/${top.paymentId}/status`),
      await get(`/pay/${top.paymentId}/status`, { 'x-client-secret': `${top.clientSecret}x` }),
      await get(`/pay/${top.paymentId}/status`, {
        'x-client-secret': top.clientSecret.split('_secret_')[0]!,
      }),
      await get(`/pay/${top.paymentId}/status?client_secret=${encodeURIComponent(top.clientSecret)}`),
    ]) {
      expect(attempt.status).toBe(404);
      expect(attempt.status).toBe(unknown.status);
      expect(attempt.text).not.toContain('43.21');
      expect(JSON.parse(attempt.text).error.code).toBe(JSON.parse(unknown.text).error.code);
    }
    const owner = await get(`/pay/${top.paymentId}/status`, { 'x-client-secret': top.clientSecret });
    expect(owner.status).toBe(200);
    expect(JSON.parse(owner.text)).toMatchObject({ status: 'created', amount: '43.21', currency: 'USD' });
  });

  it('serves the same pages for a known and an unknown payment id, so the pages tell a prober nothing', async () => {
    const top = await topUp('page-probe');
    const known = await get(`/pay/${top.paymentId}`);
    const unknown = await get('/pay/pay_0190000000007000800000000000000');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(known.text).not.toContain('43.21');
    expect(known.text.replaceAll(top.paymentId, 'ID')).toBe(
      unknown.text.replaceAll('pay_0190000000007000800000000000000', 'ID'),
    );
    const knownReturn = await get(`/pay/${top.paymentId}/return`);
    const unknownReturn = await get('/pay/pay_0190000000007000800000000000000/return');
    expect(knownReturn.text.replaceAll(top.paymentId, 'ID')).toBe(
      unknownReturn.text.replaceAll('pay_0190000000007000800000000000000', 'ID'),
    );
  });

  it('keeps no client secret in the database, only its digest, and still hands it back to a replayed createTopUp', async () => {
    const first = await topUp('stored-secret');
    const row = await gw.t.app.services.db.payment.findUniqueOrThrow({ where: { id: first.paymentId } });
    expect(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      first.clientSecret,
    );
    expect(row.metadata).toMatchObject({ clientSecretSha256: clientSecretDigest(first.clientSecret) });
    const replay = await topUp('stored-secret');
    expect(replay).toMatchObject({ idempotencyHit: true, clientSecret: first.clientSecret });
  });
});
