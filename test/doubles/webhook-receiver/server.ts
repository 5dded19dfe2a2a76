import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../../src/notifications/signature.ts';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export interface ReceivedEvent {
  eventId: string;
  eventType: string;
  body: any;
  signature: string;
}

/**
 * A customer's webhook endpoint, as a real HTTP server: it verifies `Tollgate-Signature` with the
 * secrets it knows (any may match, as during a rotation) and, like a well-behaved receiver,
 * processes each `Tollgate-Event-Id` once. `mode` scripts failures: `fail` answers 500, `hang`
 * never answers (the sender times out), `ok` processes and answers 200.
 */
export class WebhookReceiver {
  readonly server: http.Server;
  mode: ReceiverMode = 'ok';
  secrets: string[] = [];
  /** Every request that arrived, in order. */
  readonly attempts: { eventId: string; mode: ReceiverMode; signatureValid: boolean }[] = [];
  /** Processed (acknowledged with 200) events: what the customer's system acted on. */
  readonly processed: ReceivedEvent[] = [];
  private readonly hanging = new Set<http.ServerResponse>();

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['tollgate-signature'] ?? '');
        const eventId = String(req.headers['tollgate-event-id'] ?? '');
        const signatureValid = this.secrets.some((secret) =>
          verifyWebhookSignature({
            header: signature,
            body,
            secret,
            toleranceSeconds: 300,
            nowMs: Date.now(),
          }),
        );
        const mode = this.mode;
        this.attempts.push({ eventId, mode, signatureValid });
        if (!signatureValid) {
          res.writeHead(400).end('bad signature');
          return;
        }
        if (mode === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        if (mode === 'fail') {
          res.writeHead(500).end('unavailable');
          return;
        }
        if (!this.processed.some((e) => e.eventId === eventId))
          this.processed.push({
            eventId,
            eventType: String(req.headers['tollgate-event-type'] ?? ''),
            body: JSON.parse(body),
            signature,
          });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
