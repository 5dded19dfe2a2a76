import { useId } from 'react';

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses what a person typed as JSON; the gateway still validates the shape. */
export function parseJsonText(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** A JSON textarea that says, as the person types, whether the text parses. */
export function JsonField({
  label,
  value,
  onChange,
  invalidLabel,
  rows = 10,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  invalidLabel: string;
  rows?: number;
}) {
  const id = useId();
  const parsed = parseJsonText(value);
  return (
    <div className="json-field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="mono"
        rows={rows}
        value={value}
        spellCheck={false}
        aria-invalid={!parsed.ok}
        aria-describedby={parsed.ok ? undefined : `${id}-error`}
        onChange={(e) => onChange(e.target.value)}
      />
      {!parsed.ok && (
        <p id={`${id}-error`} className="field-error">
          {invalidLabel}: {parsed.message}
        </p>
      )}
    </div>
  );
}
