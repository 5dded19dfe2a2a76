import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../../src/infra/circuit-breaker.ts';
import { HttpStatusError, httpRequest } from '../../../src/infra/http-client.ts';

describe('httpRequest against a local server', () => {
  let server: http.Server;
  let base: string;
  let script: number[] = [];
  let calls = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      calls++;
      const status = script.shift() ?? 200;
      if (status === 0) return; // hang
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const fast = { attempts: 3, baseMs: 1, maxMs: 2 };
  // Long enough for a local answer on a loaded machine (100 ms timed out the 200 after the hang in a
  // full run at load average 10); only the scripted hang ever waits it out.
  const timeoutMs = 1_000;

  it('retries 503 and a timeout for an idempotent call, then returns the answer', async () => {
    script = [503, 0, 200];
    calls = 0;
    const res = await httpRequest({
      method: 'GET',
      url: `${base}/x`,
      timeoutMs,
      idempotent: true,
      retry: fast,
    });
    expect(res.json()).toEqual({ status: 200 });
    expect(calls).toBe(3);
  });

  it('sends a non-idempotent call once and surfaces the HTTP error', async () => {
    script = [503, 200];
    calls = 0;
    const err = await httpRequest({
      method: 'POST',
      url: `${base}/x`,
      body: {},
      timeoutMs,
      idempotent: false,
      retry: fast,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.status).toBe(503);
    expect(calls).toBe(1);
  });

  it('trips the breaker on upstream failures but not on 4xx', async () => {
    const breaker = new CircuitBreaker('lago', {
      consecutiveFailuresMax: 2,
      failureRatePercentMax: 100,
      windowCallsMin: 100,
      windowMs: 60_000,
      openMs: 60_000,
    });
    const call = () =>
      httpRequest({ method: 'GET', url: `${base}/x`, timeoutMs, idempotent: false, breaker });
    script = [404, 404, 404];
    for (let i = 0; i < 3; i++) await expect(call()).rejects.toMatchObject({ status: 404 });
    expect(breaker.state).toBe('closed');
    script = [500, 500];
    for (let i = 0; i < 2; i++) await expect(call()).rejects.toMatchObject({ status: 500 });
    expect(breaker.state).toBe('open');
    calls = 0;
    await expect(call()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(0);
  });
});
