import type { Db } from '../db/client.ts';
import type { NotificationType } from './types.ts';

/**
 * The `notifications` section of the effective settings. Its rows live in `risk_settings` beside the
 * risk rules (src/risk/settings.ts validates and caches them); notifications read them through
 * {@link NotificationSettingsSource}, so this folder does not import risk and the two never form a
 * cycle. Amounts are decimal strings, as stored.
 */
export interface NotificationSettings {
  emailRecipients?: string[] | undefined;
  emailEventTypes?: NotificationType[] | undefined;
  balanceLowThresholdsNanos?: Record<string, string[]> | undefined;
  walletBalanceLowThresholdsNanos?: Record<string, string[]> | undefined;
  keyExpiringDays?: number | undefined;
  rateLimitSustainedRejectionsPerMinute?: number | undefined;
}

export interface NotificationSubject {
  organizationId?: string | null | undefined;
  userId?: string | null | undefined;
  apiKeyId?: string | null | undefined;
}

/** The read side of the settings store that notifications use (RiskSettingsStore in production). */
export interface NotificationSettingsSource {
  /** The merged settings of a subject; pass a transaction's client inside a transaction. */
  effective(
    subject: NotificationSubject,
    client?: Pick<Db, 'riskSetting'>,
  ): Promise<{ notifications?: NotificationSettings | undefined }>;
  /** A small fact cached beside the settings (here: a wallet's owner and currency). */
  fact<T>(key: string, load: () => Promise<T>): Promise<T>;
}
