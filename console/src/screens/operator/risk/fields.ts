/**
 * The risk settings fields with a known scalar shape (src/risk/settings.ts, docs/risk-and-notifications.md),
 * edited as form fields; per-currency maps stay in the JSON. The gateway validates the whole object again.
 */
export type FieldKind = 'count' | 'list' | 'disputeFreeze';

export interface KnownField {
  path: [string, string];
  kind: FieldKind;
}

export const KNOWN_FIELDS: KnownField[] = [
  { path: ['rateLimits', 'keyRequestsPerMinute'], kind: 'count' },
  { path: ['rateLimits', 'keyTokensPerMinute'], kind: 'count' },
  { path: ['rateLimits', 'userRequestsPerMinute'], kind: 'count' },
  { path: ['rateLimits', 'userTokensPerMinute'], kind: 'count' },
  { path: ['rateLimits', 'organizationRequestsPerMinute'], kind: 'count' },
  { path: ['rateLimits', 'organizationTokensPerMinute'], kind: 'count' },
  { path: ['newAccount', 'days'], kind: 'count' },
  { path: ['payments', 'topUpsPerHourMax'], kind: 'count' },
  { path: ['payments', 'topUpsPerDayMax'], kind: 'count' },
  { path: ['payments', 'failedPaymentsMax'], kind: 'count' },
  { path: ['payments', 'failedPaymentsWindowMinutes'], kind: 'count' },
  { path: ['payments', 'cooldownMinutes'], kind: 'count' },
  { path: ['payments', 'holdRiskScoreMin'], kind: 'count' },
  { path: ['payments', 'holdRiskLevels'], kind: 'list' },
  { path: ['payments', 'disputeFreeze'], kind: 'disputeFreeze' },
  { path: ['notifications', 'keyExpiringDays'], kind: 'count' },
  { path: ['notifications', 'rateLimitSustainedRejectionsPerMinute'], kind: 'count' },
  { path: ['notifications', 'emailRecipients'], kind: 'list' },
];

export const SECTIONS = ['rateLimits', 'newAccount', 'payments', 'notifications'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The field's value as the form shows it ('' when unset). */
export function readField(settings: unknown, f: KnownField): string {
  const section = isObj(settings) ? settings[f.path[0]] : undefined;
  const v = isObj(section) ? section[f.path[1]] : undefined;
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/**
 * The settings with one field set from the form: '' removes it (and its section when it empties), counts
 * that are whole numbers become numbers; anything else is kept as typed, so the gateway names the problem.
 */
export function writeField(settings: unknown, f: KnownField, text: string): Obj {
  const root: Obj = isObj(settings) ? { ...settings } : {};
  const section: Obj = isObj(root[f.path[0]]) ? { ...(root[f.path[0]] as Obj) } : {};
  const trimmed = text.trim();
  if (trimmed === '') delete section[f.path[1]];
  else if (f.kind === 'count') section[f.path[1]] = /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
  else if (f.kind === 'list')
    section[f.path[1]] = trimmed
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  else section[f.path[1]] = trimmed;
  if (Object.keys(section).length === 0) delete root[f.path[0]];
  else root[f.path[0]] = section;
  return root;
}
