import type { Admission } from '../../src/admission/port.ts';

/** What bench/proxy.ts passes to a `createBenchAdmission` module. */
export interface BenchAdmissionOptions {
  /** The LiteLLM data-plane double the gateway forwards to. */
  upstreamUrl: string;
  /** The double's master key (what Tollgate sends upstream when keys are not synced). */
  masterKey: string;
}

/** Work done outside the gateway's own CPU, cumulative since the admission was created. */
export interface BenchCounters {
  /** PostgreSQL queries sent (each one round trip; BEGIN and COMMIT count). */
  dbQueries: number;
  /** Shared-state (Redis) calls made: at most one round trip each (none when there is nothing to do). */
  redisCalls: number;
  /** CPU time of the PostgreSQL backends serving this benchmark's database, µs. */
  dbCpuUs: number;
}

export interface BenchAdmission {
  /** Any admission: the bench never looks inside its tickets. */
  admission: Admission<unknown>;
  /** The client credential the load generator sends to Tollgate. */
  credential: string;
  /** Printed in the table heading. */
  label: string;
  counters?(): Promise<BenchCounters>;
  close(): Promise<void>;
}
