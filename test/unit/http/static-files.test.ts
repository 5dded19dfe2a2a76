import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singlePageApp } from '../../../src/http/static-files.ts';

describe('single-page app under /console', () => {
  let root: string;
  let server: Server;
  let base: string;

  function serve(dir: string) {
    const handler = singlePageApp({
      root: dir,
      htmlHeaders: { 'content-security-policy': "default-src 'self'" },
      missingBuildHint: 'not built',
    });
    return createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      void handler(req, res, { '*': path.slice('/console/'.length) });
    });
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tollgate-spa-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'tollgate-secret.txt'), 'secret');
    server = serve(root);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves hashed assets cached for a year', async () => {
    const res = await fetch(`${base}/console/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('answers client-side routes with index.html, never cached, with the page headers', async () => {
    for (const path of ['/console/', '/console/usage', '/console/operator/organizations']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
      expect(await res.text()).toContain('<title>console</title>');
    }
  });

  it('refuses paths that leave the build folder, encoded or not, and missing files', async () => {
    for (const path of [
      '/console/../tollgate-secret.txt',
      '/console/%2e%2e/tollgate-secret.txt',
      '/console/assets/%2e%2e%2f%2e%2e%2ftollgate-secret.txt',
      '/console/assets/missing.js',
      '/console/%E0%A4%A',
      '/console/a%00.js',
    ]) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('says how to build the console when there is no build', async () => {
    const empty = serve(mkdtempSync(join(tmpdir(), 'tollgate-spa-empty-')));
    await new Promise<void>((r) => empty.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(empty.address() as AddressInfo).port}/console/`);
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe('CONSOLE_NOT_BUILT');
    } finally {
      await new Promise<void>((r) => empty.close(() => r()));
    }
  });
});
