import type { InputHTMLAttributes } from 'react';

/** A labelled text input that reports its value. */
export function Field({
  label,
  onValue,
  ...input
}: { label: string; onValue: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'onChange'
>) {
  return (
    <label>
      {label}
      <input {...input} onChange={(e) => onValue(e.target.value)} />
    </label>
  );
}

/** The six digits of an authenticator app (sign-in's second step, TOTP enrolment and turning it off). */
export function TotpCodeField({
  label,
  value,
  onValue,
  autoFocus,
}: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  autoFocus?: boolean;
}) {
  return (
    <Field
      label={label}
      name="totpCode"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      autoFocus={autoFocus}
      value={value}
      onValue={(v) => onValue(v.trim())}
    />
  );
}
