import type { CombinedError } from 'urql';

/**
 * A GraphQL error as the person can act on it: the message and the gateway's error code and request id.
 * `explain` gives the screen's own (translated) words for the codes it expects; the code and request id
 * stay visible either way.
 */
export function ErrorNotice({
  error,
  explain,
}: {
  error: CombinedError | Error | null | undefined;
  explain?: Partial<Record<string, string>>;
}) {
  if (!error) return null;
  const gql = 'graphQLErrors' in error ? error.graphQLErrors : [];
  const first = gql[0];
  const code = first?.extensions?.code as string | undefined;
  // The gateway puts the request id in every error's extensions as `request_id`.
  const requestId = first?.extensions?.request_id as string | undefined;
  const message =
    (code && explain?.[code]) ??
    first?.message ??
    ('networkError' in error && error.networkError?.message) ??
    error.message;
  return (
    <div role="alert" className="notice notice-error" data-code={code}>
      <strong>{message}</strong>
      {code && <span className="muted"> · {code}</span>}
      {requestId && <span className="muted"> · request {requestId}</span>}
    </div>
  );
}
