import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import { readRawBody } from '../../http/body.ts';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config.ts';
import { sendJson } from '../../http/errors.ts';
import { AppError } from '../../lib/errors.ts';
import { logger } from '../../lib/logger.ts';
import { currentRequestId } from '../../lib/request-context.ts';
import type { Db } from '../../db/client.ts';
import { inboxHandler, receiveEvent } from '../../inbox/provider-inbox.ts';
import type { OutboxWorker } from '../../outbox/worker.ts';
import { lagoCall } from './client.ts';
import type { LagoIntegration } from './handlers.ts';
import { LAGO_SYSTEM } from './mapping.ts';

export class LagoWebhookSignatureError extends AppError {
  constructor(message: string) {
    super('INVALID_LAGO_SIGNATURE', message, { status: 400 });
  }
}

export interface LagoWebhookEvent {
  uniqueKey: string;
  webhookType: string;
  objectType: string;
  payload: any;
}

type VerifyConfig = Pick<
  Config,
  'LAGO_API_URL' | 'LAGO_WEBHOOK_SIGNATURE' | 'LAGO_WEBHOOK_HMAC_KEY' | 'LAGO_WEBHOOK_PUBLIC_KEY'
>;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Verifies a Lago webhook on its raw body, as configured (LAGO_WEBHOOK_SIGNATURE):
 * - hmac: `X-Lago-Signature` = base64(HMAC-SHA256(LAGO_WEBHOOK_HMAC_KEY, raw body));
 * - jwt: `X-Lago-Signature` is an RS256 JWT with claims {data: raw body, iss: LAGO_API_URL},
 *   checked with LAGO_WEBHOOK_PUBLIC_KEY (base64 PEM) or the key `fetchPublicKey` returns.
 * A header whose algorithm differs from the configured one is rejected (no downgrade).
 * @throws LagoWebhookSignatureError on any mismatch or a missing header/key.
 */
export async function verifyLagoWebhook(
  headers: IncomingHttpHeaders,
  rawBody: Buffer | string,
  config: VerifyConfig,
  opts: { fetchPublicKey?: () => Promise<string> } = {},
): Promise<LagoWebhookEvent> {
  const raw = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const signature = header(headers, 'x-lago-signature');
  const algorithm = header(headers, 'x-lago-signature-algorithm') ?? 'jwt';
  const uniqueKey = header(headers, 'x-lago-unique-key');
  if (!signature) throw new LagoWebhookSignatureError('Missing X-Lago-Signature');
  if (!uniqueKey) throw new LagoWebhookSignatureError('Missing X-Lago-Unique-Key');
  if (algorithm !== config.LAGO_WEBHOOK_SIGNATURE)
    throw new LagoWebhookSignatureError(`Unexpected signature algorithm '${algorithm}'`);

  if (config.LAGO_WEBHOOK_SIGNATURE === 'hmac') {
    if (!config.LAGO_WEBHOOK_HMAC_KEY)
      throw new LagoWebhookSignatureError('LAGO_WEBHOOK_HMAC_KEY is not set');
    const expected = createHmac('sha256', config.LAGO_WEBHOOK_HMAC_KEY).update(raw).digest();
    const given = Buffer.from(signature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new LagoWebhookSignatureError('Lago HMAC signature does not match');
  } else {
    const keyBase64 = config.LAGO_WEBHOOK_PUBLIC_KEY ?? (await opts.fetchPublicKey?.());
    if (!keyBase64) throw new LagoWebhookSignatureError('No Lago webhook public key');
    verifyJwt(signature, raw, keyBase64, config.LAGO_API_URL);
  }
  let payload: any;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw new LagoWebhookSignatureError('Webhook body is not JSON');
  }
  return {
    uniqueKey,
    webhookType: String(payload?.webhook_type ?? 'unknown'),
    objectType: String(payload?.object_type ?? 'unknown'),
    payload,
  };
}

function verifyJwt(token: string, raw: string, publicKeyBase64: string, issuer: string | undefined): void {
  const parts = token.split('.');
  if (parts.length !== 3) throw new LagoWebhookSignatureError('Malformed Lago JWT');
  const [h, p, s] = parts as [string, string, string];
  let head: any;
  let claims: any;
  try {
    head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw new LagoWebhookSignatureError('Malformed Lago JWT');
  }
  if (head?.alg !== 'RS256') throw new LagoWebhookSignatureError(`Unexpected JWT alg '${head?.alg}'`);
  const key = createPublicKey(Buffer.from(publicKeyBase64, 'base64').toString('utf8'));
  const ok = verifySignature('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  if (!ok) throw new LagoWebhookSignatureError('Lago JWT signature does not match');
  if (issuer && claims?.iss !== issuer) throw new LagoWebhookSignatureError('Lago JWT issuer does not match');
  if (claims?.data !== raw) throw new LagoWebhookSignatureError('Lago JWT data does not match the body');
}

/** The outbox topic whose jobs process stored Lago webhooks. */
export const LAGO_WEBHOOK_TOPIC = 'lago.webhook';

/** What the Lago webhook route needs from the process. */
export interface LagoWebhookDeps {
  config: VerifyConfig & Pick<Config, 'REQUEST_BODY_LIMIT_BYTES'>;
  db: Db;
  clock: () => Date;
  outbox: Pick<OutboxWorker, 'register'>;
}

/**
 * `POST /webhooks/lago`: verify, then store once per `X-Lago-Unique-Key` in the inbox
 * (provider_events, provider 'lago', with the raw body) together with its processing job, and
 * answer 200. Invoice and wallet events are kept for reconciliation; nothing in Tollgate's ledger
 * depends on them (Tollgate is the source of truth for balances), so processing only marks them.
 * Duplicates answer 200 and enqueue nothing; a bad signature answers 400 and stores nothing.
 * Registers the processing job's handler on `deps.outbox`.
 */
export function lagoWebhookRoute(deps: LagoWebhookDeps, lago: LagoIntegration | undefined) {
  let publicKey: Promise<string> | undefined;
  const fetchPublicKey = lago
    ? () => {
        publicKey ??= lagoCall('fetchJsonPublicKey', () => lago.api.webhooks.fetchJsonPublicKey()).then(
          (r: any) => r.webhook.public_key as string,
          (err) => {
            publicKey = undefined;
            throw err;
          },
        );
        return publicKey;
      }
    : undefined;
  deps.outbox.register(
    LAGO_WEBHOOK_TOPIC,
    inboxHandler(deps.db, deps.clock, async (event) => {
      logger.info({ uniqueKey: event.eventId, type: event.type }, 'lago webhook recorded');
    }),
  );
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readRawBody(req, deps.config.REQUEST_BODY_LIMIT_BYTES);
    const event = await verifyLagoWebhook(
      req.headers,
      raw,
      deps.config,
      fetchPublicKey ? { fetchPublicKey } : {},
    );
    const { duplicate } = await receiveEvent(deps.db, LAGO_WEBHOOK_TOPIC, {
      provider: LAGO_SYSTEM,
      eventId: event.uniqueKey,
      type: event.webhookType,
      rawBody: raw,
      decoded: null,
    });
    if (duplicate) logger.info({ uniqueKey: event.uniqueKey }, 'duplicate lago webhook ignored');
    sendJson(res, 200, { received: true, duplicate, request_id: currentRequestId() });
  };
}
