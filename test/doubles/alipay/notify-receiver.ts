import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  readonly headers: Record<string, string>;
  readonly rawBody: Buffer;
}

/**
 * Stands in for our notify_url in provider-level tests: keeps each form body exactly as posted and
 * answers with a configurable text (Alipay stops retrying only on exactly `success`).
 */
export async function startNotifyReceiver() {
  const received: ReceivedNotification[] = [];
  const state = { reply: 'success' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(state.reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/alipay`,
    received,
    /** What the endpoint answers from now on (anything but `success` makes Alipay retry). */
    replyWith(text: string) {
      state.reply = text;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
