import type { CombinedError } from 'urql';

/** The per-field problems a VALIDATION_FAILED error carries in extensions.details.issues. */
export function ValidationIssues({ error, label }: { error: CombinedError | undefined; label: string }) {
  const details = error?.graphQLErrors[0]?.extensions?.details as
    | { issues?: { path: string; message: string }[] }
    | undefined;
  const issues = details?.issues ?? [];
  if (issues.length === 0) return null;
  return (
    <ul aria-label={label} className="field-error">
      {issues.map((i) => (
        <li key={`${i.path}:${i.message}`}>
          <code>{i.path || '(root)'}</code>: {i.message}
        </li>
      ))}
    </ul>
  );
}
