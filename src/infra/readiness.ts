import type { Database } from '../db/client.ts';
import type { BreakerRegistry } from './circuit-breaker.ts';
import type { SharedState } from './shared-state.ts';

/** What readiness looks at. */
export interface ReadinessDeps {
  database: Pick<Database, 'kind' | 'ping'>;
  state: Pick<SharedState, 'kind' | 'ping'>;
  breakers?: Pick<BreakerRegistry, 'all'> | undefined;
}

export interface Readiness {
  ok: boolean;
  /** An upstream circuit is open or half-open: still ready, but some calls fail fast. */
  degraded: boolean;
  components: { name: string; ok: boolean; detail: string | null }[];
}

const CHECK_TIMEOUT_MS = 2000;

async function check(name: string, fn: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name, ok: true, detail: null };
  } catch (err) {
    return { name, ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Database and shared state reachable (these decide readiness), plus one `upstream:<name>`
 * component per circuit breaker that is not closed (the metrics gauge shows all of them). An open
 * breaker reports ok=false and sets `degraded`, but does not make the gateway unready: every
 * replica sees the same upstream, so taking replicas out of the load balancer would only turn fast
 * 503s into connection errors.
 */
export async function checkReadiness(services: ReadinessDeps): Promise<Readiness> {
  const components = await Promise.all([
    check(`database:${services.database.kind}`, () => services.database.ping()),
    check(`shared_state:${services.state.kind}`, () => services.state.ping()),
  ]);
  const upstreams = (services.breakers?.all() ?? [])
    .map((b) => ({ b, state: b.state }))
    .filter(({ state }) => state !== 'closed')
    .map(({ b, state }) => ({
      name: `upstream:${b.name}`,
      ok: state !== 'open',
      detail: `circuit ${state} since ${new Date(b.openedAt ?? 0).toISOString()}${b.lastError ? `: ${b.lastError}` : ''}`,
    }));
  return {
    ok: components.every((c) => c.ok),
    degraded: upstreams.length > 0,
    components: [...components, ...upstreams],
  };
}
