import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../../../src/lib/ids.ts';
import { createApiKey } from '../../../src/identity/api-key-admin.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { WebhookReceiver } from '../../doubles/webhook-receiver/server.ts';
import { ENCRYPTION_KEY, seedAccount } from '../risk/harness.ts';

describe('risk and notifications over GraphQL', () => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: WebhookReceiver;
  let receiverUrl: string;
  let a: Awaited<ReturnType<typeof seedAccount>>;
  let other: Awaited<ReturnType<typeof seedAccount>>;
  let ownerToken: string;
  let memberToken: string;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    t = await startTestApp(db, {
      env: {
        TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
        RISK_SETTINGS_CACHE_TTL_MS: '0',
        OUTBOX_MAX_ATTEMPTS: '1',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      },
    });
    receiver = new WebhookReceiver();
    receiverUrl = await receiver.start();
    a = await seedAccount(db.prisma);
    other = await seedAccount(db.prisma);
    const member = await db.prisma.user.create({
      data: { id: newId('usr'), email: `m-${a.org.id}@example.com` },
    });
    await db.prisma.membership.create({
      data: { id: newId('mem'), organizationId: a.org.id, userId: member.id, role: 'member' },
    });
    const ctx = { services: t.app.services, principal: null };
    const mint = async (userId: string) =>
      (
        await createApiKey(
          ctx,
          { organizationId: a.org.id, userId, name: 'gql', scopes: ['read', 'manage'] },
          { system: true },
        )
      ).secret;
    ownerToken = await mint(a.user.id);
    memberToken = await mint(member.id);
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
    await db.close();
  });

  const CREATE = `mutation($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes status } } }`;

  it('lets an organization owner manage its endpoints, shows the secret once, and hides other organizations', async () => {
    const created = await t.gql(
      CREATE,
      { input: { organizationId: a.org.id, url: receiverUrl, eventTypes: ['BALANCE_LOW'] } },
      { token: ownerToken },
    );
    expect(created.errors).toBeUndefined();
    const { secret, endpoint } = created.data.createWebhookEndpoint;
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ url: receiverUrl, eventTypes: ['BALANCE_LOW'], status: 'ACTIVE' });

    const list = await t.gql(
      `query($org: ID!) { webhookEndpoints(organizationId: $org) { id url } }`,
      { org: a.org.id },
      { token: ownerToken },
    );
    expect(list.data.webhookEndpoints).toEqual([{ id: endpoint.id, url: receiverUrl }]);
    expect(JSON.stringify(list)).not.toContain(secret);

    const foreign = await t.gql(
      CREATE,
      { input: { organizationId: other.org.id, url: receiverUrl } },
      { token: ownerToken },
    );
    expect(foreign.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
    const asMember = await t.gql(
      CREATE,
      { input: { organizationId: a.org.id, url: receiverUrl } },
      { token: memberToken },
    );
    expect(asMember.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const badUrl = await t.gql(
      CREATE,
      { input: { organizationId: a.org.id, url: 'ftp://x' } },
      { token: ownerToken },
    );
    expect(badUrl.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');

    const rotated = await t.gql(
      `mutation($id: ID!) { rotateWebhookSecret(id: $id, graceSeconds: 60) { secret previousSecretExpiresAt } }`,
      { id: endpoint.id },
      { token: ownerToken },
    );
    expect(rotated.data.rotateWebhookSecret.secret).not.toBe(secret);
    expect(rotated.data.rotateWebhookSecret.previousSecretExpiresAt).not.toBeNull();

    const updated = await t.gql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { status: DISABLED }) { status } }`,
      { id: endpoint.id },
      { token: ownerToken },
    );
    expect(updated.data.updateWebhookEndpoint.status).toBe('DISABLED');
    const deleted = await t.gql(
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
      { id: endpoint.id },
      { token: ownerToken },
    );
    expect(deleted.data.deleteWebhookEndpoint).toBe(true);
  });

  it('lists deliveries with their status and replays a dead one', async () => {
    const created = await t.gql(
      CREATE,
      { input: { organizationId: a.org.id, url: receiverUrl } },
      { token: ownerToken },
    );
    const { secret, endpoint } = created.data.createWebhookEndpoint;
    receiver.secrets = [secret];
    receiver.mode = 'fail';
    const { id: eventId } = await t.app.services.notifications.notify(db.prisma, {
      type: 'payment_failed',
      organizationId: a.org.id,
      dedupeKey: `gql-test:${endpoint.id}`,
      payload: {
        paymentId: 'pay_1',
        orderId: 'ord_1',
        walletId: a.wallet.id,
        currency: 'USD',
        amountMinor: '500',
        failureCode: 'card_declined',
        failureMessage: null,
      },
    });
    await t.app.services.outbox.drain();
    const DELIVERIES = `query($id: ID!, $status: [WebhookDeliveryStatus!]) {
      webhookDeliveries(endpointId: $id, status: $status, first: 10) {
        edges { node { id eventId eventType status attempts lastError } } } }`;
    const dead = await t.gql(DELIVERIES, { id: endpoint.id, status: ['DEAD'] }, { token: ownerToken });
    expect(dead.errors).toBeUndefined();
    const [edge] = dead.data.webhookDeliveries.edges;
    expect(edge.node).toMatchObject({
      eventId,
      eventType: 'PAYMENT_FAILED',
      status: 'DEAD',
      attempts: 1,
      lastError: 'endpoint answered HTTP 500',
    });

    receiver.mode = 'ok';
    const replay = await t.gql(
      `mutation($id: ID!) { replayWebhookDelivery(id: $id) { status attempts } }`,
      { id: edge.node.id },
      { token: ownerToken },
    );
    expect(replay.data.replayWebhookDelivery).toEqual({ status: 'PENDING', attempts: 0 });
    await t.app.services.outbox.drain();
    const delivered = await t.gql(
      DELIVERIES,
      { id: endpoint.id, status: ['DELIVERED'] },
      { token: ownerToken },
    );
    expect(delivered.data.webhookDeliveries.edges).toHaveLength(1);
    expect(receiver.processed.map((e) => e.eventId)).toContain(eventId);

    const memberView = await t.gql(DELIVERIES, { id: endpoint.id }, { token: memberToken });
    expect(memberView.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets platform admins set risk settings and organization admins read theirs and set thresholds', async () => {
    const SET = `mutation($type: RiskScopeType!, $id: String, $s: JSON!) {
      setRiskSettings(scopeType: $type, scopeId: $id, settings: $s) { scopeType scopeId settings } }`;
    const set = await t.gql(SET, {
      type: 'ORGANIZATION',
      id: a.org.id,
      s: { rateLimits: { keyRequestsPerMinute: 30 }, spend: { USD: { requestMaxNanos: '2000000000' } } },
    });
    expect(set.errors).toBeUndefined();
    expect(set.data.setRiskSettings).toMatchObject({ scopeType: 'ORGANIZATION', scopeId: a.org.id });

    const invalid = await t.gql(SET, { type: 'GLOBAL', s: { rateLimits: { keyRequestsPerMinute: -1 } } });
    expect(invalid.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const byOwner = await t.gql(SET, { type: 'ORGANIZATION', id: a.org.id, s: {} }, { token: ownerToken });
    expect(byOwner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const read = await t.gql(
      `query($id: String) { riskSettings(scopeType: ORGANIZATION, scopeId: $id) { settings } }`,
      { id: a.org.id },
      { token: ownerToken },
    );
    expect(read.data.riskSettings.settings.rateLimits).toEqual({ keyRequestsPerMinute: 30 });
    const global = await t.gql(`{ riskSettings(scopeType: GLOBAL) { settings } }`, {}, { token: ownerToken });
    expect(global.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const thresholds = await t.gql(
      `mutation($org: ID!, $input: NotificationSettingsInput!) { updateNotificationSettings(organizationId: $org, input: $input) }`,
      {
        org: a.org.id,
        input: {
          emailRecipients: ['ops@example.com'],
          balanceLowThresholds: [{ currency: 'USD', thresholdNanos: ['5000000000'] }],
        },
      },
      { token: ownerToken },
    );
    expect(thresholds.errors).toBeUndefined();
    const effective = await t.gql(
      `query($org: ID!) { effectiveRiskSettings(organizationId: $org) }`,
      { org: a.org.id },
      { token: ownerToken },
    );
    expect(effective.data.effectiveRiskSettings).toMatchObject({
      rateLimits: { keyRequestsPerMinute: 30 },
      notifications: {
        emailRecipients: ['ops@example.com'],
        balanceLowThresholdsNanos: { USD: ['5000000000'] },
      },
      payments: { holdRiskLevels: ['elevated', 'highest'] },
    });
  });

  it('streams notificationReceived to an owner of the organization, and refuses a member', async () => {
    const controller = new AbortController();
    const subscribe = (token: string) =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          query:
            'subscription($org: ID!) { notificationReceived(organizationId: $org) { id type organizationId data } }',
          variables: { org: a.org.id },
        }),
        signal: controller.signal,
      });
    const denied = await (await subscribe(memberToken)).text();
    expect(denied).toContain('FORBIDDEN');

    const res = await subscribe(ownerToken);
    expect(res.status).toBe(200);
    // Wait until the subscription listens on shared state before raising the notification.
    const handlers = (t.app.services.state as unknown as { handlers: Map<string, Set<unknown>> }).handlers;
    await vi.waitFor(() => expect(handlers.get(`gql:notification:${a.org.id}`)?.size).toBeGreaterThan(0));
    const { id } = await t.app.services.notifications.notify(db.prisma, {
      type: 'dispute_opened',
      organizationId: a.org.id,
      dedupeKey: `gql-sub:${a.org.id}`,
      payload: {
        disputeId: 'dp_1',
        paymentId: 'pay_1',
        currency: 'USD',
        amountMinor: '500',
        reason: 'fraudulent',
        frozenNanos: '5000000000',
      },
    });
    await t.app.services.outbox.drain();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let match = /event: next\ndata: (.*)\n/.exec(buffer);
    while (!match) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value);
      match = /event: next\ndata: (.*)\n/.exec(buffer);
    }
    controller.abort();
    expect(JSON.parse(match[1]!).data.notificationReceived).toEqual({
      id,
      type: 'DISPUTE_OPENED',
      organizationId: a.org.id,
      data: expect.objectContaining({ disputeId: 'dp_1', frozenNanos: '5000000000' }),
    });
  });

  it('reports an open upstream circuit in /readyz (still ready, degraded) and in /metrics', async () => {
    const breaker = t.app.services.breakers.get('litellm');
    for (let i = 0; i < 5; i++)
      await breaker.execute(() => Promise.reject(new Error('connect ECONNREFUSED'))).catch(() => {});
    const res = await fetch(`${t.url}/readyz`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.degraded).toBe(true);
    const component = body.components.find((c: any) => c.name === 'upstream:litellm');
    expect(component.ok).toBe(false);
    expect(component.detail).toMatch(/^circuit open since .*: connect ECONNREFUSED$/);
    // Closed circuits stay out of /readyz (the gauge shows them).
    expect(body.components.find((c: any) => c.name === 'upstream:lago')).toBeUndefined();
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('tollgate_circuit_breaker_state{upstream="litellm"} 2');
    expect(metrics).toContain('tollgate_circuit_breaker_state{upstream="lago"} 0');
    expect(metrics).toContain('tollgate_circuit_breaker_state{upstream="lago"} 0');
  });
});
