import type { CombinedError } from 'urql';

/** A GraphQL error as the person can act on it: the message and the gateway's error code and request id. */
export function ErrorNotice({ error }: { error: CombinedError | Error | null | undefined }) {
  if (!error) return null;
  const gql = 'graphQLErrors' in error ? error.graphQLErrors : [];
  const first = gql[0];
  const code = first?.extensions?.code as string | undefined;
  // The gateway names it `request_id` (src/graphql/error-mapping.ts).
  const requestId = first?.extensions?.request_id as string | undefined;
  const message = first?.message ?? ('networkError' in error && error.networkError?.message) ?? error.message;
  return (
    <div role="alert" className="notice notice-error" data-code={code}>
      <strong>{message}</strong>
      {code && <span className="muted"> · {code}</span>}
      {requestId && <span className="muted"> · request {requestId}</span>}
    </div>
  );
}
