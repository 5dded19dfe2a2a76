import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import { ADMIN_TOKEN } from '../../helpers/app.ts';
import { openThrowawayPostgres } from '../../helpers/db.ts';
import { type OwnPostgres, startOwnPostgres } from '../../helpers/postgres-server.ts';
import { type Gateway, MODEL, startGateway } from '../gateway/helpers.ts';

const USD = 1_000_000_000n;

describe('a PostgreSQL outage (own server, stopped and started)', () => {
  let pg: OwnPostgres;
  let g: Gateway;

  beforeAll(async () => {
    pg = await startOwnPostgres(57650 + (process.pid % 50));
    const db = await openThrowawayPostgres(pg.adminUrl, { poolSize: 5 });
    g = await startGateway({ db, state: new MemorySharedState() });
    await g.fund(10n * USD);
  }, 120_000);
  afterAll(async () => {
    await pg?.start().catch(() => {});
    await g?.close();
    await pg?.stop();
  }, 60_000);

  async function until(check: () => Promise<boolean>) {
    while (!(await check())) await new Promise((r) => setTimeout(r, 50));
  }

  const chat = (key: string) =>
    fetch(`${g.t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }),
    });
  const organizations = () =>
    fetch(`${g.t.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ organizations(first: 1) { edges { node { slug } } } }' }),
    });

  it('answers 503 DATABASE_UNAVAILABLE with retry-after while it is down (never 500), and serves again after', async () => {
    // Never used yet: not in the key cache, so authenticating it needs the database.
    const key = await g.createKey({ name: 'fresh', scopes: ['INFERENCE'] });
    expect((await chat(g.apiKey)).status).toBe(200);
    await g.settled();

    await pg.stop();
    const refused = await chat(key);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await refused.json()).toEqual({
      error: {
        message: 'The database is unavailable; retry shortly',
        type: 'service_unavailable',
        code: 'DATABASE_UNAVAILABLE',
        param: null,
      },
      request_id: refused.headers.get('x-request-id'),
    });
    const gql = await organizations();
    expect(gql.headers.get('retry-after')).toBe('2');
    expect((await gql.json()).errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'DATABASE_UNAVAILABLE',
          request_id: gql.headers.get('x-request-id'),
        }),
      }),
    ]);

    await pg.start();
    await until(async () => (await fetch(`${g.t.url}/readyz`)).status === 200);
    expect((await chat(key)).status).toBe(200);
    expect((await (await organizations()).json()).errors).toBeUndefined();
  }, 120_000);
});
