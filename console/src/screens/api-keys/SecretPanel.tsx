import { useEffect, useId, useRef } from 'react';
import { useLocale } from '../../i18n';
import { CopyButton } from '../../ui/CopyButton';
import { formatDateTime } from '../../ui/dates';
import type { T } from './messages';

export interface ShownSecret {
  name: string;
  secret: string;
  /** rotateApiKey: the old key and until when it keeps working. */
  previous?: { prefix: string; graceUntil: string | null } | null;
}

/**
 * The secret of a key just created or rotated. It lives only in this component's state: the gateway
 * keeps a hash, so after "I have stored it" or a reload nobody can show it again.
 */
export function SecretPanel({ t, shown, onDone }: { t: T; shown: ShownSecret; onDone: () => void }) {
  const { locale } = useLocale();
  const headingId = useId();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section ref={ref} tabIndex={-1} className="card secret-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('secretTitle', { name: shown.name })}</h2>
      <p>
        <strong>{t('secretOnce')}</strong>
      </p>
      <div className="secret-row">
        <label>
          {t('secretLabel')}
          <input
            readOnly
            className="secret"
            value={shown.secret}
            size={Math.min(shown.secret.length + 2, 72)}
            onFocus={(e) => e.target.select()}
          />
        </label>
        <CopyButton text={shown.secret} label={t('copy')} copied={t('copied')} />
      </div>
      {shown.previous?.graceUntil && (
        <p>
          {t('previousGrace', {
            prefix: shown.previous.prefix,
            at: formatDateTime(shown.previous.graceUntil, locale),
          })}
        </p>
      )}
      <button type="button" onClick={onDone}>
        {t('done')}
      </button>
    </section>
  );
}
