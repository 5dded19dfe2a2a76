import { useState } from 'react';

/**
 * A secret the gateway shows only once (a webhook signing secret, an API key): shown in a read-only
 * field with a copy button, and a note that it cannot be shown again.
 */
export function OnceSecret({
  label,
  value,
  note,
  copyLabel,
  copiedLabel,
}: {
  label: string;
  value: string;
  note: string;
  copyLabel: string;
  copiedLabel: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice notice-ok once-secret">
      <label>
        {label}
        <input readOnly className="mono" value={value} size={Math.min(Math.max(value.length, 20), 72)} />
      </label>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? copiedLabel : copyLabel}
      </button>
      <p>{note}</p>
    </div>
  );
}
