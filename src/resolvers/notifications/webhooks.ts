import type { Context } from '../../context.ts';
import { isPlatformAdmin } from '../../identity/principal.ts';
import { NotFoundError } from '../../lib/errors.ts';
import {
  WEBHOOK_TOPIC,
  type WebhookDeliveryPayload,
  webhookOrderingKey,
} from '../../notifications/webhooks.ts';
import { replayOutboxMessage } from '../../outbox/worker.ts';
import { requireOrgRole } from '../../identity/access.ts';
import { decodeId } from '../../graphql/ids.ts';

/** Organization owners/admins manage their endpoints; platform admins manage all. */
export function requireOrgAdmin(ctx: Context, organizationId: string) {
  return requireOrgRole(ctx.principal, organizationId, 'admin');
}

export const organizationIdArg = (value: string) => decodeId(value, 'Organization');

export async function loadEndpointForAdmin(ctx: Context, id: string) {
  const endpoint = await ctx.services.db.webhookEndpoint.findUnique({ where: { id } });
  if (!endpoint) throw new NotFoundError('Webhook endpoint', id);
  try {
    requireOrgAdmin(ctx, endpoint.organizationId);
  } catch (err) {
    // Another organization's endpoint is indistinguishable from a missing one.
    if (err instanceof NotFoundError) throw new NotFoundError('Webhook endpoint', id);
    throw err;
  }
  return endpoint;
}

export async function createWebhookEndpoint(
  ctx: Context,
  input: { organizationId: string; url: string; eventTypes: string[] },
) {
  const organizationId = organizationIdArg(input.organizationId);
  requireOrgAdmin(ctx, organizationId);
  return ctx.services.notifications.webhooks.create({ ...input, organizationId });
}

export async function rotateWebhookSecret(ctx: Context, id: string, graceSeconds: number | null | undefined) {
  await loadEndpointForAdmin(ctx, id);
  return ctx.services.notifications.webhooks.rotateSecret(id, graceSeconds ?? undefined);
}

export async function updateWebhookEndpoint(
  ctx: Context,
  id: string,
  input: { url?: string | null; eventTypes?: string[] | null; status?: string | null },
) {
  await loadEndpointForAdmin(ctx, id);
  return ctx.services.notifications.webhooks.update(id, input);
}

export async function deleteWebhookEndpoint(ctx: Context, id: string) {
  await loadEndpointForAdmin(ctx, id);
  return ctx.services.notifications.webhooks.delete(id);
}

/** The outbox rows of an endpoint are its delivery log. */
export async function webhookDeliveriesWhere(
  ctx: Context,
  endpointId: string,
  status: string[] | null | undefined,
) {
  await loadEndpointForAdmin(ctx, endpointId);
  return {
    topic: WEBHOOK_TOPIC,
    orderingKey: webhookOrderingKey(endpointId),
    ...(status?.length ? { status: { in: status } } : {}),
  };
}

/** Puts a dead (or pending) delivery back in line for an immediate attempt. */
export async function replayWebhookDelivery(ctx: Context, id: string) {
  const row = await ctx.services.db.outboxMessage.findUnique({ where: { id } });
  if (!row || row.topic !== WEBHOOK_TOPIC) throw new NotFoundError('Webhook delivery', id);
  const endpointId = (row.payload as unknown as WebhookDeliveryPayload).endpointId;
  if (!isPlatformAdmin(ctx.principal)) await loadEndpointForAdmin(ctx, endpointId);
  if (!(await replayOutboxMessage(ctx.services.db, id)))
    throw new NotFoundError('Dead or pending webhook delivery', id);
  return ctx.services.db.outboxMessage.findUniqueOrThrow({ where: { id } });
}
