/**
 * `tollgate serve` for the proxy bench, with the bench's counters: started as
 * `node --import tsx bench/lib/serve-counted.ts serve --workers N`, which is what bin/tollgate.js does
 * (register tsx, import src/cli.ts) plus, first, two counters in every process of the cluster (the
 * primary runs this file and cluster.fork() runs it again in each worker):
 *  - PostgreSQL queries: pg.Client.prototype.query patched, as in the bench process (pg-queries.ts);
 *  - shared-state calls: each public method of RedisSharedState counted, as the bench's in-process
 *    countingState proxy counts them (internal calls between its methods are not counted there either).
 * Each process answers `{"dbQueries":n,"stateCalls":n,"memory":process.memoryUsage()}` on the Unix socket
 * `$BENCH_COUNTER_DIR/<pid>.sock` (its own, not shared through the cluster primary), so the bench
 * reads exact cumulative counts from every process without stopping any.
 */
import net from 'node:net';
import { join } from 'node:path';
import { RedisSharedState } from '../../src/infra/redis-shared-state.ts';
import { pgQueries } from './pg-queries.ts';

const stateCalls = { n: 0 };
/** Called only from inside the class: the in-process proxy never sees them. */
const internal = new Set(['constructor', 'close', 'channel', 'subscribeChannel']);
const proto = RedisSharedState.prototype as unknown as Record<string, unknown>;
for (const name of Object.getOwnPropertyNames(proto)) {
  const method = Object.getOwnPropertyDescriptor(proto, name)?.value;
  if (internal.has(name) || typeof method !== 'function') continue;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    stateCalls.n++;
    return method.apply(this, args);
  };
}

const dir = process.env.BENCH_COUNTER_DIR;
if (dir)
  net
    .createServer((socket) =>
      socket.end(
        `${JSON.stringify({ dbQueries: pgQueries.n, stateCalls: stateCalls.n, memory: process.memoryUsage() })}\n`,
      ),
    )
    // exclusive: in a cluster worker a listen is otherwise handed to the primary and shared.
    .listen({ path: join(dir, `${process.pid}.sock`), exclusive: true })
    .unref();

await import('../../src/cli.ts');
