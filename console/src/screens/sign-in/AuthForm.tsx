import type { FormEvent, ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/**
 * The form of the screens before signing in: its fields, the gateway's error in the screen's words
 * (`explain`), then the submit button (disabled while the request runs) and what stands beside it.
 */
export function AuthForm({
  onSubmit,
  error,
  explain,
  fetching,
  submitLabel,
  actions,
  children,
}: {
  onSubmit: () => unknown;
  error: CombinedError | undefined;
  explain: Partial<Record<string, string>>;
  fetching: boolean;
  submitLabel: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  function submit(e: FormEvent) {
    e.preventDefault();
    void onSubmit();
  }
  return (
    <form onSubmit={submit} className="stack">
      {children}
      <ErrorNotice error={error} explain={explain} />
      <div className="row">
        <button type="submit" disabled={fetching}>
          {submitLabel}
        </button>
        {actions}
      </div>
    </form>
  );
}

/** The new password of sign-up and reset, with the gateway's rule said beside it. */
export function NewPasswordField({
  label,
  hint,
  value,
  onValue,
}: {
  label: string;
  hint: string;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <>
      <Field
        label={label}
        type="password"
        name="password"
        autoComplete="new-password"
        required
        aria-describedby="password-hint"
        value={value}
        onValue={onValue}
      />
      <span id="password-hint" className="muted">
        {hint}
      </span>
    </>
  );
}

/** The email field, the account's user name for password managers. */
export function EmailField({
  label,
  value,
  onValue,
}: {
  label: string;
  value: string;
  onValue: (v: string) => void;
}) {
  return (
    <Field
      label={label}
      type="email"
      name="email"
      autoComplete="username"
      required
      value={value}
      onValue={onValue}
    />
  );
}
