import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, loadConfig } from '../../../src/config.ts';
import { createMetrics, type Metrics } from '../../../src/http/metrics.ts';
import { Router } from '../../../src/http/router.ts';
import type { Admission } from '../../../src/admission/port.ts';
import { createProxyHandler, type ProxyHandler, type ProxyHandlerDeps } from '../../../src/proxy/routes.ts';
import { createHttpServer } from '../../../src/server.ts';
import type { Services } from '../../../src/services.ts';

export interface ProxyServer {
  url: string;
  config: Config;
  metrics: Metrics;
  proxy: ProxyHandler;
  server: http.Server;
  close(): Promise<void>;
}

/**
 * The proxy routes on Tollgate's real HTTP server (request ids, router, error mapping), without the
 * rest of the app: the proxy needs only config, metrics and an Admission.
 */
export async function startProxyServer<Ticket>(opts: {
  upstreamUrl: string;
  admission: Admission<Ticket>;
  env?: Record<string, string>;
  breaker?: ProxyHandlerDeps<Ticket>['breaker'];
}): Promise<ProxyServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    LITELLM_URL: opts.upstreamUrl,
    LITELLM_MASTER_KEY: 'sk-double-master',
    ...opts.env,
  });
  const metrics = createMetrics();
  const proxy = createProxyHandler({
    config,
    admission: opts.admission,
    metrics,
    ...(opts.breaker ? { breaker: opts.breaker } : {}),
  });
  const router = new Router();
  for (const r of proxy.routes) router.on(r.method, r.pattern, r.handler);
  const server = createHttpServer({ metrics } as Services, router, undefined as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    config,
    metrics,
    proxy,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proxy.close();
    },
  };
}
