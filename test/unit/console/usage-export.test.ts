import { GraphQLError } from 'graphql';
import { type Client, CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { ExportError, exportUsageCsv } from '../../../console/src/screens/usage/export.ts';

type Answer = { data?: unknown; error?: CombinedError };

/**
 * urql's Client as exportUsageCsv uses it (`query(…).toPromise()`), answering like the gateway: pages
 * of `usageRecords` by cursor, or the RATE_LIMIT_EXCEEDED error the GraphQL cost budget raises (its
 * extensions as src/graphql/error-mapping.ts writes them for RateLimitExceededError).
 */
function fakeClient(answer: (vars: { first: number; after: string | null }) => Answer) {
  const calls: { first: number; after: string | null }[] = [];
  const client = {
    query: (_doc: unknown, vars: { first: number; after: string | null }) => {
      calls.push(vars);
      return { toPromise: async () => answer(vars) };
    },
  } as unknown as Client;
  return { client, calls };
}

function record(n: number, over: Partial<Record<string, unknown>> = {}) {
  return {
    id: `u${n}`,
    requestId: `req-${n}`,
    createdAt: '2026-12-06T10:00:00.000Z',
    apiKeyId: 'key_a',
    modelRequested: 'gpt-4o-mini',
    modelServed: 'gpt-4o-mini',
    promptTokens: 11,
    completionTokens: 7,
    cachedTokens: 0,
    cost: { amount: '5625', currency: 'USD', unit: 'NANO' },
    status: 'SUCCEEDED',
    httpStatus: 200,
    latencyMs: 12,
    ...over,
  };
}

/** `total` records served `first` at a time; the cursor is the next index. */
function pages(total: number) {
  return ({ first, after }: { first: number; after: string | null }): Answer => {
    const start = after ? Number(after) : 0;
    const end = Math.min(total, start + first);
    const edges = [];
    for (let i = start; i < end; i++) edges.push({ node: record(i) });
    return {
      data: {
        usageRecords: {
          edges,
          pageInfo: { hasNextPage: end < total, endCursor: end > start ? String(end) : null },
        },
      },
    };
  };
}

const run = (client: Client, extra: Partial<Parameters<typeof exportUsageCsv>[0]> = {}) =>
  exportUsageCsv({
    client,
    query: {} as Parameters<typeof exportUsageCsv>[0]['query'],
    filter: {},
    keyName: () => 'alpha',
    onProgress: () => {},
    signal: new AbortController().signal,
    ...extra,
  });

describe('usage CSV export', () => {
  it('pages through every record by cursor, 100 at a time, into one CSV', async () => {
    const { client, calls } = fakeClient(pages(250));
    const out = await run(client);
    expect(out).toMatchObject({ rows: 250, capped: false });
    expect(calls.map((c) => [c.first, c.after])).toEqual([
      [100, null],
      [100, '100'],
      [100, '200'],
    ]);
    const lines = out.csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(252);
    expect(lines[1]).toBe(
      'req-0,2026-12-06T10:00:00.000Z,key_a,alpha,gpt-4o-mini,gpt-4o-mini,11,7,0,0.000005625,USD,SUCCEEDED,200,12',
    );
  });

  it('stops at the cap and says the export was cut short', async () => {
    const { client, calls } = fakeClient(pages(1_000));
    const out = await run(client, { rowsMax: 250 });
    expect(out).toMatchObject({ rows: 250, capped: true });
    expect(calls.at(-1)?.first).toBe(50);
    expect(out.csv.slice(1).split('\r\n')).toHaveLength(252);
  });

  it('is not capped when the last page ends exactly at the cap', async () => {
    const { client } = fakeClient(pages(200));
    expect(await run(client, { rowsMax: 200 })).toMatchObject({ rows: 200, capped: false });
  });

  it('waits as long as the gateway says when the cost budget is used up, then goes on', async () => {
    let refusals = 1;
    const serve = pages(150);
    const { client, calls } = fakeClient((vars) => {
      if (vars.after === '100' && refusals-- > 0)
        return {
          error: new CombinedError({
            graphQLErrors: [
              new GraphQLError('GraphQL cost budget used up', {
                extensions: {
                  code: 'RATE_LIMIT_EXCEEDED',
                  details: { metric: 'graphql_cost', retry_after_seconds: 3, retry_after_ms: 2_500 },
                },
              }),
            ],
          }),
        };
      return serve(vars);
    });
    const waits: number[] = [];
    const progress: [number, number | null][] = [];
    const out = await run(client, {
      sleep: async (ms) => {
        waits.push(ms);
      },
      onProgress: (rows, waiting) => progress.push([rows, waiting]),
    });
    expect(waits).toEqual([2_500]);
    expect(out).toMatchObject({ rows: 150, capped: false });
    expect(calls.filter((c) => c.after === '100')).toHaveLength(2);
    expect(progress).toEqual([
      [100, null],
      [100, 2_500],
      [150, null],
    ]);
  });

  it('fails with the gateway’s error for anything else, and writes no file', async () => {
    const { client } = fakeClient(() => ({
      error: new CombinedError({
        graphQLErrors: [new GraphQLError('nope', { extensions: { code: 'FORBIDDEN' } })],
      }),
    }));
    await expect(run(client)).rejects.toBeInstanceOf(ExportError);
  });

  it('defuses a client-chosen model name that a spreadsheet would run as a formula', async () => {
    const { client } = fakeClient(() => ({
      data: {
        usageRecords: {
          edges: [
            { node: record(1, { modelRequested: '=HYPERLINK("http://evil","x")', modelServed: null }) },
          ],
          pageInfo: { hasNextPage: false, endCursor: '1' },
        },
      },
    }));
    const out = await run(client);
    expect(out.csv.split('\r\n')[1]).toContain(`,"'=HYPERLINK(""http://evil"",""x"")",,`);
  });
});
