import { useState } from 'react';

/**
 * A destructive action in two steps without a modal: the first click asks, "Confirm" acts, "Cancel"
 * steps back. `label` is the accessible name of the first button (e.g. "Remove alice@example.com").
 */
export function ConfirmButton({
  label,
  text,
  confirmText,
  cancelText,
  onConfirm,
  disabled,
}: {
  label: string;
  text: string;
  confirmText: string;
  cancelText: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        className="secondary"
        aria-label={label}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {text}
      </button>
    );
  return (
    <span className="row-actions">
      <button
        type="button"
        className="danger"
        aria-label={`${confirmText}: ${label}`}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmText}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        {cancelText}
      </button>
    </span>
  );
}
