import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../helpers/db.ts';

describe('HTTP server', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    t = await startTestApp(db, { state: 'redis' });
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  it('answers liveness with the request id in header and body', async () => {
    const res = await fetch(`${t.url}/healthz`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
    expect(body.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
  });

  it('reports readiness of database and Redis', async () => {
    const res = await fetch(`${t.url}/readyz`);
    const body = await res.json();
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(body.components.map((c: any) => [c.name, c.ok]));
    expect(byName['database:pglite']).toBe(true);
    expect(byName['shared_state:redis']).toBe(true);
  });

  it('echoes a valid client X-Request-ID and replaces an invalid one, saying so', async () => {
    const ok = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'client-req-42' } });
    expect(ok.headers.get('x-request-id')).toBe('client-req-42');
    expect(ok.headers.get('x-request-id-replaced')).toBeNull();
    const long = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(long.headers.get('x-request-id')).not.toBe('x'.repeat(129));
    expect(long.headers.get('x-request-id-replaced')).toBe('invalid');
    expect((await long.json()).request_id).toBe(long.headers.get('x-request-id'));
  });

  it('replaces a request id with control characters', async () => {
    // fetch refuses control characters in headers, so speak raw HTTP.
    const net = await import('node:net');
    const { port } = new URL(t.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () =>
        s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: ab\tcd\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      s.on('data', (d) => {
        data += d;
      });
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    expect(raw).toMatch(/x-request-id-replaced: invalid/i);
    expect(raw).not.toMatch(/x-request-id: ab/i);
  });

  it('returns JSON errors with code, message and request_id for unknown routes and methods', async () => {
    const res = await fetch(`${t.url}/nope`, { headers: { 'x-request-id': 'r-404' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "Route 'GET /nope' not found",
        type: 'invalid_request_error',
        code: 'NOT_FOUND',
        param: null,
      },
      request_id: 'r-404',
    });
    const m = await fetch(`${t.url}/healthz`, { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect((await m.json()).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('serves Prometheus metrics by route and status', async () => {
    await fetch(`${t.url}/healthz`);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/tollgate_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
    expect(text).toContain('tollgate_http_request_duration_seconds_bucket');
  });

  it('serves GraphQL with request_id in extensions, and typed errors without stack traces', async () => {
    const ok = await t.gql('{ health { ok } }');
    expect(ok.data).toEqual({ health: { ok: true } });
    expect(ok.extensions.request_id).toBeTruthy();

    const bad = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    const body = await bad.json();
    expect(bad.status).toBe(400);
    expect(body.errors[0].extensions.request_id).toBe(bad.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|originalError/);

    const denied = await t.gql('{ outboxDeliveries { edges { node { id } } } }', {}, { token: null });
    expect(denied.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    const garbage = await t.gql('{ node(id: "not-a-global-id") { id } }');
    expect(garbage.errors![0].extensions.code).toBe('VALIDATION_FAILED');
    const wrong = await t.gql('{ health { ok } }', {}, { token: 'sk-tg-wrong' });
    expect(wrong.errors![0].extensions.code).toBe('INVALID_API_KEY');
  });
});
