import { useEffect, useId, useRef } from 'react';
import type { T } from './messages';

/** Asks before revoking: a revoked key is refused at once and cannot come back. */
export function RevokeConfirm({
  t,
  name,
  busy,
  onConfirm,
  onCancel,
}: {
  t: T;
  name: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  const textId = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  // Focus the harmless choice first.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div role="alertdialog" aria-labelledby={titleId} aria-describedby={textId} className="card confirm">
      <h2 id={titleId}>{t('confirmTitle', { name })}</h2>
      <p id={textId}>{t('confirmText')}</p>
      <div className="form-actions">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          {t('confirmRevoke')}
        </button>
        <button ref={cancel} type="button" className="secondary" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
