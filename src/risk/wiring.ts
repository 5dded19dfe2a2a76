import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { SharedState } from '../infra/shared-state.ts';
import type { Notifier } from '../notifications/service.ts';
import { RiskServices } from './service.ts';
import { RiskSettingsStore } from './settings.ts';

/**
 * The settings store, built first: notifications read their section of it (as a
 * NotificationSettingsSource) and the risk rules read the rest. Close it at shutdown.
 */
export function createRiskSettings(deps: {
  config: Pick<Config, 'RISK_SETTINGS_CACHE_TTL_MS'>;
  db: Db;
  state: SharedState;
  nowMs: () => number;
}): RiskSettingsStore {
  return new RiskSettingsStore(deps.db, deps.state, deps.config.RISK_SETTINGS_CACHE_TTL_MS, deps.nowMs);
}

/** Rate limits, spend velocity and payment risk over one settings store; breaches go to `notifier`. */
export function createRisk(deps: {
  db: Db;
  state: SharedState;
  settings: RiskSettingsStore;
  notifier: Notifier;
  nowMs: () => number;
}): RiskServices {
  return new RiskServices(deps);
}
