import type { Config } from '../config.ts';
import { FileJournal } from '../admission/file-journal.ts';
import { RedisJournal } from '../admission/redis-journal.ts';
import { MemoryJournal, type SettlementJournal } from '../admission/settlement-journal.ts';
import { RedisSharedState } from '../infra/redis-shared-state.ts';
import type { SharedState } from '../infra/shared-state.ts';

/**
 * Where admitted requests' charges are kept until posted (docs/reliability.md): Redis when the state
 * is shared; else a file in the data directory (single-node mode), or process memory when the
 * caller supplied an in-process state of its own (tests) and named no journal directory.
 */
export function openJournal(config: Config, state: SharedState, stateSupplied: boolean): SettlementJournal {
  if (state instanceof RedisSharedState)
    return new RedisJournal(state.client, { replicaTtlMs: config.SETTLEMENT_REPLICA_TTL_MS });
  if (stateSupplied && !config.SETTLEMENT_JOURNAL_DIR) return new MemoryJournal();
  return new FileJournal(config.SETTLEMENT_JOURNAL_DIR ?? config.TOLLGATE_DATA_DIR);
}
