import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, type Gateway, startGateway } from './helpers.ts';

describe('usage records and aggregates over GraphQL', () => {
  let g: Gateway;
  let memberKey: string;
  beforeAll(async () => {
    g = await startGateway();
    await g.fund(1_000_000_000n);
    for (let i = 0; i < 3; i++)
      await g.client().chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'a' }],
        max_tokens: 50,
      });
    await g.client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'b' }],
      max_tokens: 50,
    });
    g.upstream.next({ kind: 'status', status: 500 });
    await g
      .client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'c' }] })
      .catch(() => {});
    // A member of the same organization with their own key and no usage.
    const s = g.t.app.services;
    const res = await g.t.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: 'member@usage.test', organizationId: g.organizationId, role: 'MEMBER' },
    });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const userRow = await s.db.user.findFirstOrThrow({ where: { email: 'member@usage.test' } });
    const key = await g.t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
      i: {
        name: 'member key',
        scopes: ['READ', 'INFERENCE'],
        userId: userRow.id,
        organizationId: g.organizationId,
      },
    });
    if (key.errors) throw new Error(JSON.stringify(key.errors));
    memberKey = key.data.createApiKey.secret;
  });
  afterAll(async () => g?.close());

  it('lists the caller’s usage records newest first with exact costs, filtered by model', async () => {
    const res = await g.t.gql(
      `query($f: UsageFilter) { usageRecords(first: 10, filter: $f) { edges { node {
        modelRequested status cost { amount currency unit } promptTokens completionTokens cachedTokens estimated } } } }`,
      { f: { model: MODEL } },
      { token: g.apiKey },
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data.usageRecords.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(4);
    expect(nodes[0]).toMatchObject({ status: 'FAILED', cost: { amount: '0' } });
    expect(nodes[1]).toMatchObject({
      status: 'SUCCEEDED',
      cost: { amount: '5625', currency: 'USD', unit: 'NANO' },
      promptTokens: 11,
      completionTokens: 7,
      cachedTokens: 3,
      estimated: false,
    });
  });

  it('aggregates requests, tokens and cost per model and per day', async () => {
    const res = await g.t.gql(
      `query { byModel: usageAggregates(groupBy: MODEL) { model requests failedRequests promptTokens completionTokens cost { amount } }
               byDay: usageAggregates(groupBy: DAY) { day requests cost { amount } } }`,
      {},
      { token: g.apiKey },
    );
    expect(res.errors).toBeUndefined();
    const mini = res.data.byModel.find((r: any) => r.model === MODEL);
    expect(mini).toEqual({
      model: MODEL,
      requests: 3,
      failedRequests: 1,
      promptTokens: '33',
      completionTokens: '21',
      cost: { amount: '16875' },
    });
    expect(res.data.byDay).toHaveLength(1);
    expect(res.data.byDay[0].requests).toBe(4);
    expect(res.data.byDay[0].day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows a member only their own usage', async () => {
    const res = await g.t.gql(
      '{ usageRecords(first: 50) { edges { node { id } } } usageAggregates(groupBy: MODEL) { requests } }',
      {},
      { token: memberKey },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.usageRecords.edges).toEqual([]);
    expect(res.data.usageAggregates).toEqual([]);
  });
});
