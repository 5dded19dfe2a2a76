import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { decryptSecret, encryptSecret, randomBase62 } from '../identity/crypto.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { type OutboxDelivery, PermanentDeliveryError } from '../outbox/worker.ts';
import { EncryptionKeyMissingError } from './errors.ts';
import { WEBHOOK_HEADERS, signWebhook } from './signature.ts';
import { NOTIFICATION_TYPES, type NotificationType } from './types.ts';

export const WEBHOOK_TOPIC = 'notification.webhook';
export const WEBHOOK_ENDPOINT_STATUSES = ['active', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/** The ordering key of an endpoint's deliveries: one at a time, oldest first, per endpoint. */
export const webhookOrderingKey = (endpointId: string) => `webhook:${endpointId}`;

export interface WebhookDeliveryPayload {
  endpointId: string;
  eventId: string;
  eventType: NotificationType;
  /** The exact bytes sent and signed. */
  body: string;
}

/**
 * The stored secrets of an endpoint: the current one, plus the previous one until its grace
 * period ends. Kept together in `secretEncrypted` (AES-256-GCM of this JSON), so a rotation is one
 * row update.
 */
const keyringSchema = z.object({
  secrets: z.array(z.object({ secret: z.string(), expiresAt: z.string().nullable() })).min(1),
});
type Keyring = z.infer<typeof keyringSchema>;

const urlSchema = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials');

const eventTypesSchema = z.array(z.enum(NOTIFICATION_TYPES)).max(NOTIFICATION_TYPES.length);

function validate<T>(schema: z.ZodType<T>, value: unknown, param: string): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new ValidationError(`${param}: ${r.error.issues[0]?.message ?? 'invalid'}`, { param });
  return r.data;
}

/** Loopback, private, link-local, CGNAT and unspecified ranges: not for customer endpoints. */
const PRIVATE_RANGES = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE_RANGES.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE_RANGES.addSubnet(net, prefix, 'ipv6');

function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE_RANGES.check(mapped[1]!, 'ipv4');
  return PRIVATE_RANGES.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Refuses endpoints on internal addresses (SSRF): literal IPs and `localhost` when registering,
 * and every resolved address before each delivery. (A DNS answer that changes between this
 * lookup and the connection is not covered.)
 */
async function assertPublicHost(url: string, resolve: boolean): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : host === 'localhost' || host.endsWith('.localhost')
      ? ['127.0.0.1']
      : resolve
        ? (await lookup(host, { all: true })).map((a) => a.address)
        : [];
  if (addresses.some(isPrivateAddress))
    throw new ValidationError('url: must not point to a loopback, private or link-local address', {
      param: 'url',
    });
}

export function newWebhookSecret(): string {
  return `whsec_${randomBase62(40)}`;
}

/** Webhook endpoint management and delivery. Authorization happens in the GraphQL layer. */
export class WebhookEndpoints {
  constructor(
    private readonly deps: {
      db: Db;
      encryptionKey: string | undefined;
      timeoutMs: number;
      rotationGraceSeconds: number;
      /** Development and tests only: endpoints on loopback/private addresses. */
      allowPrivateUrls: boolean;
      nowMs: () => number;
      fetch?: typeof fetch;
    },
  ) {}

  private key(): string {
    if (!this.deps.encryptionKey) throw new EncryptionKeyMissingError();
    return this.deps.encryptionKey;
  }

  private seal(keyring: Keyring): string {
    return encryptSecret(JSON.stringify(keyring), this.key());
  }

  private open(secretEncrypted: string): Keyring {
    return keyringSchema.parse(JSON.parse(decryptSecret(secretEncrypted, this.key())));
  }

  /** Secrets that still sign: the current one and any previous one inside its grace period. */
  activeSecrets(secretEncrypted: string): string[] {
    const now = this.deps.nowMs();
    return this.open(secretEncrypted)
      .secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now)
      .map((s) => s.secret);
  }

  /** The secret is returned here and never again. An empty eventTypes list subscribes to every type. */
  async create(input: { organizationId: string; url: string; eventTypes: string[] }) {
    const url = validate(urlSchema, input.url, 'url');
    if (!this.deps.allowPrivateUrls) await assertPublicHost(url, false);
    const eventTypes = validate(eventTypesSchema, input.eventTypes, 'eventTypes');
    const secret = newWebhookSecret();
    const endpoint = await this.deps.db.webhookEndpoint.create({
      data: {
        id: newId('whe'),
        organizationId: input.organizationId,
        url,
        eventTypes: [...new Set(eventTypes)],
        secretEncrypted: this.seal({ secrets: [{ secret, expiresAt: null }] }),
      },
    });
    return { endpoint, secret };
  }

  /**
   * A new secret; the previous one keeps signing (a second v1 in the header) for `graceSeconds`,
   * so receivers can switch without losing deliveries. Secrets older than that are dropped.
   */
  async rotateSecret(id: string, graceSeconds = this.deps.rotationGraceSeconds) {
    const current = await this.deps.db.webhookEndpoint.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('Webhook endpoint', id);
    const secret = newWebhookSecret();
    const expiresAt = new Date(this.deps.nowMs() + graceSeconds * 1000).toISOString();
    const previous =
      graceSeconds > 0
        ? this.open(current.secretEncrypted).secrets.find((s) => s.expiresAt === null)
        : undefined;
    const endpoint = await this.deps.db.webhookEndpoint.update({
      where: { id },
      data: {
        secretEncrypted: this.seal({
          secrets: [
            { secret, expiresAt: null },
            ...(previous ? [{ secret: previous.secret, expiresAt }] : []),
          ],
        }),
      },
    });
    return { endpoint, secret, previousSecretExpiresAt: previous ? new Date(expiresAt) : null };
  }

  async update(
    id: string,
    input: { url?: string | null; eventTypes?: string[] | null; status?: string | null },
  ) {
    const data: { url?: string; eventTypes?: string[]; status?: string } = {};
    if (input.url != null) {
      data.url = validate(urlSchema, input.url, 'url');
      if (!this.deps.allowPrivateUrls) await assertPublicHost(data.url, false);
    }
    if (input.eventTypes != null)
      data.eventTypes = [...new Set(validate(eventTypesSchema, input.eventTypes, 'eventTypes'))];
    if (input.status != null)
      data.status = validate(z.enum(WEBHOOK_ENDPOINT_STATUSES), input.status, 'status');
    const n = await this.deps.db.webhookEndpoint.updateMany({ where: { id }, data });
    if (n.count === 0) throw new NotFoundError('Webhook endpoint', id);
    return this.deps.db.webhookEndpoint.findUniqueOrThrow({ where: { id } });
  }

  /** Deliveries still queued for it are dead-lettered on their next attempt. */
  async delete(id: string): Promise<boolean> {
    const n = await this.deps.db.webhookEndpoint.deleteMany({ where: { id } });
    return n.count > 0;
  }

  /** Outbox handler for `notification.webhook`: one signed POST; a non-2xx or a timeout retries later. */
  async deliver(delivery: OutboxDelivery): Promise<void> {
    const p = delivery.payload as WebhookDeliveryPayload;
    const endpoint = await this.deps.db.webhookEndpoint.findUnique({ where: { id: p.endpointId } });
    if (!endpoint) throw new PermanentDeliveryError('webhook endpoint deleted');
    if (endpoint.status !== 'active') throw new PermanentDeliveryError(`webhook endpoint ${endpoint.status}`);
    if (!this.deps.allowPrivateUrls)
      await assertPublicHost(endpoint.url, true).catch((err: unknown) => {
        throw err instanceof ValidationError
          ? new PermanentDeliveryError('webhook endpoint resolves to a private address')
          : new Error(`endpoint unreachable: ${err instanceof Error ? err.message : String(err)}`);
      });
    const t = Math.floor(this.deps.nowMs() / 1000);
    const doFetch = this.deps.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tollgate-Webhooks/1',
          [WEBHOOK_HEADERS.signature]: signWebhook(this.activeSecrets(endpoint.secretEncrypted), t, p.body),
          [WEBHOOK_HEADERS.eventId]: p.eventId,
          [WEBHOOK_HEADERS.eventType]: p.eventType,
        },
        body: p.body,
      });
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      throw new Error(
        name === 'TimeoutError' || name === 'AbortError'
          ? `endpoint did not answer within ${this.deps.timeoutMs} ms`
          : `endpoint unreachable: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
      );
    }
    await res.body?.cancel().catch(() => {});
    if (res.status < 200 || res.status >= 300) throw new Error(`endpoint answered HTTP ${res.status}`);
  }
}
