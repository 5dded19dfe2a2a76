import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useState } from 'react';
import { type AnyVariables, type CombinedError, useClient } from 'urql';

/**
 * A query run when the person asks (a button), never on render: for checks that cost the gateway real work
 * (ledger proofs, LiteLLM and Lago comparisons) or that price a hypothetical request.
 */
export function useOnDemandQuery<Data, Variables extends AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
) {
  const client = useClient();
  const [state, setState] = useState<{ data?: Data; error?: CombinedError; fetching: boolean }>({
    fetching: false,
  });
  const run = useCallback(
    async (variables: Variables) => {
      setState((s) => ({ ...s, fetching: true }));
      const res = await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise();
      setState({ data: res.data, error: res.error, fetching: false });
      return res;
    },
    [client, query],
  );
  return [state, run] as const;
}
