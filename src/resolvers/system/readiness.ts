import type { Services } from '../../services.ts';

export interface Readiness {
  ok: boolean;
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

/** Database and shared state reachable. Later checks (circuit breakers) add components here. */
export async function checkReadiness(services: Services): Promise<Readiness> {
  const components = await Promise.all([
    check(`database:${services.database.kind}`, () => services.database.ping()),
    check(`shared_state:${services.state.kind}`, () => services.state.ping()),
  ]);
  return { ok: components.every((c) => c.ok), components };
}
