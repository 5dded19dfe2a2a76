import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CompositionOverrides, compose } from './app/compose.ts';
import { registerRoutes } from './app/routes.ts';
import type { Config } from './config.ts';
import { createGraphQL } from './graphql/yoga.ts';
import { Router } from './http/router.ts';
import { createHttpServer } from './server.ts';
import type { Services } from './services.ts';

export interface App {
  services: Services;
  server: http.Server;
  router: Router;
  /** Starts listening (and the background workers); resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Resolves once every proxied request in flight has been posted to the ledger: answers go out
   * before their settle (docs/proxy.md), so a reader who must see the charge waits for this.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export type AppOverrides = CompositionOverrides;

/** One gateway process: the services (src/app/compose.ts), its routes and its HTTP server. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const composition = await compose(config, overrides);
  const { services, proxy } = composition;
  const graphql = createGraphQL(services);
  const router = new Router();
  registerRoutes(router, { config, services, graphql, proxy });
  const server = createHttpServer(services, router, graphql);

  return {
    services,
    server,
    router,
    async listen(port = config.PORT, host = config.HOST) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      composition.start();
      return (server.address() as AddressInfo).port;
    },
    settled: () => proxy.idle(),
    async close() {
      await composition.stop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composition.release();
    },
  };
}
