import { type FormEvent, useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { NotificationType } from '../../gql/graphql';
import { useT } from '../../i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { formatNanosExact, parseMajorToNanos } from '../../ui/money';
import { messages } from './messages';
import { NotificationSettingsQuery, UpdateNotificationSettingsMutation } from './operations';

export const NOTIFICATION_TYPES: NotificationType[] = [
  'BALANCE_LOW',
  'DAILY_LIMIT_WARNING',
  'DAILY_LIMIT_REACHED',
  'KEY_EXPIRING',
  'PAYMENT_SUCCEEDED',
  'PAYMENT_FAILED',
  'REFUND_SUCCEEDED',
  'DISPUTE_OPENED',
  'PAYMENT_REVIEW_REQUIRED',
  'RATE_LIMIT_SUSTAINED',
  'SPEND_VELOCITY_BREACH',
];

/** A checkbox per notification type; `types` are the checked ones. */
export function TypeChoices({
  legend,
  hint,
  types,
  onChange,
}: {
  legend: string;
  hint?: string;
  types: ReadonlySet<string>;
  onChange: (types: Set<string>) => void;
}) {
  return (
    <fieldset className="choices">
      <legend>{legend}</legend>
      {hint && <p className="muted">{hint}</p>}
      {NOTIFICATION_TYPES.map((type) => (
        <label key={type} className="choice">
          <input
            type="checkbox"
            checked={types.has(type)}
            onChange={(e) => {
              const next = new Set(types);
              e.target.checked ? next.add(type) : next.delete(type);
              onChange(next);
            }}
          />
          <code>{type}</code>
        </label>
      ))}
    </fieldset>
  );
}

/** The `notifications` section of the organization's stored settings (docs/risk-and-notifications.md). */
interface StoredNotifications {
  emailRecipients?: string[];
  emailEventTypes?: string[];
  keyExpiringDays?: number;
  balanceLowThresholdsNanos?: Record<string, string[]>;
}

function thresholdsText(t: StoredNotifications['balanceLowThresholdsNanos']): string {
  return Object.entries(t ?? {})
    .map(([currency, nanos]) => `${currency} ${nanos.map(formatNanosExact).join(', ')}`)
    .join('\n');
}

/** "USD 5, 10\nCNY 50" → per-currency nanos; null when a line is not understood. */
export function parseThresholds(text: string): { currency: string; thresholdNanos: string[] }[] | null {
  const out: { currency: string; thresholdNanos: string[] }[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const m = /^([A-Za-z]{3})\s+(.+)$/.exec(line);
    if (!m) return null;
    const nanos = m[2]!
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((x) => parseMajorToNanos(x));
    if (nanos.length === 0 || nanos.some((n) => n === null)) return null;
    out.push({ currency: m[1]!.toUpperCase(), thresholdNanos: nanos as string[] });
  }
  return out;
}

export function NotificationSettings({
  organizationId,
  canManage,
}: {
  organizationId: string;
  canManage: boolean;
}) {
  const t = useT(messages);
  const [result] = useQuery({
    query: NotificationSettingsQuery,
    variables: { organizationId },
    pause: !canManage,
  });
  const [saved, save] = useMutation(UpdateNotificationSettingsMutation);
  const [recipients, setRecipients] = useState('');
  const [types, setTypes] = useState<Set<string>>(new Set());
  const [thresholds, setThresholds] = useState('');
  const [keyDays, setKeyDays] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [done, setDone] = useState(false);

  const stored = (result.data?.riskSettings.settings as { notifications?: StoredNotifications } | null)
    ?.notifications;
  useEffect(() => {
    if (!result.data) return;
    setRecipients((stored?.emailRecipients ?? []).join(', '));
    setTypes(new Set(stored?.emailEventTypes ?? []));
    setThresholds(thresholdsText(stored?.balanceLowThresholdsNanos));
    setKeyDays(stored?.keyExpiringDays != null ? String(stored.keyExpiringDays) : '');
  }, [result.data, stored]);

  if (!canManage) return null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    const parsed = parseThresholds(thresholds);
    setInvalid(parsed === null);
    if (parsed === null) return;
    const res = await save({
      organizationId,
      input: {
        emailRecipients: recipients
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
        emailEventTypes: NOTIFICATION_TYPES.filter((x) => types.has(x)),
        balanceLowThresholds: parsed,
        ...(keyDays.trim() ? { keyExpiringDays: Number(keyDays) } : {}),
      },
    });
    setDone(!res.error);
  }

  return (
    <Card title={t('notifications')}>
      <ErrorNotice error={result.error ?? saved.error} />
      <form onSubmit={submit}>
        <label className="wide">
          {t('emailRecipients')}
          <input
            value={recipients}
            aria-describedby="notif-recipients-hint"
            onChange={(e) => setRecipients(e.target.value)}
          />
          <span id="notif-recipients-hint" className="muted">
            {t('emailRecipientsHint')}
          </span>
        </label>
        <TypeChoices legend={t('emailEventTypes')} types={types} onChange={setTypes} />
        <label className="wide">
          {t('thresholds')}
          <textarea
            rows={3}
            value={thresholds}
            aria-invalid={invalid}
            aria-describedby="notif-thresholds-hint"
            onChange={(e) => setThresholds(e.target.value)}
          />
          <span id="notif-thresholds-hint" className={invalid ? 'field-error' : 'muted'}>
            {invalid ? t('thresholdsInvalid') : t('thresholdsHint')}
          </span>
        </label>
        <label>
          {t('keyExpiringDays')}
          <input
            type="number"
            min={1}
            max={365}
            value={keyDays}
            onChange={(e) => setKeyDays(e.target.value)}
          />
        </label>
        <div className="row-actions">
          <button type="submit" disabled={saved.fetching}>
            {t('save')}
          </button>
          {done && (
            <span role="status" className="notice-ok">
              {t('saved')}
            </span>
          )}
        </div>
      </form>
    </Card>
  );
}
