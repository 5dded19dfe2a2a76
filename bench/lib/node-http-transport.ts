import http from 'node:http';
import type { UpstreamTransport } from '../../src/proxy/upstream.ts';

/**
 * The proxy's upstream over node:http with a keep-alive Agent: the transport http-proxy uses.
 * Only for the benchmark's undici-vs-http-proxy comparison.
 */
export function nodeHttpTransport(baseUrl: string, connections: number): UpstreamTransport {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, keepAliveMsecs: 4_000 });
  return {
    request(req) {
      return new Promise((resolve, reject) => {
        const r = http.request(
          {
            host: url.hostname,
            port: url.port,
            method: req.method,
            path: req.path,
            headers: req.headers,
            agent,
          },
          (res) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res }),
        );
        r.once('error', reject);
        r.end(req.body ?? undefined);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}
