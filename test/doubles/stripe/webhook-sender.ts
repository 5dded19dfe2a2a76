import { stripeSignatureHeader } from './signing.ts';

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: boolean;
  pending_webhooks: number;
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request: { id: string | null; idempotency_key: string | null };
}

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  attempt: number;
  status: number | 'network_error';
}

export interface WebhookSwitches {
  /** Deliver every event twice (at-least-once delivery). */
  duplicate: boolean;
  /** Wait before each delivery. */
  delayMs: number;
  /** Attempts per event before giving up; Stripe's sandbox tries 3 times. */
  maxAttempts: number;
  /** Wait between attempts after a non-2xx or network error (Stripe: hours; here: short). */
  retryBackoffMs: number;
  /** Hold events until `release()`; `release({reverse:true})` delivers them newest first. */
  paused: boolean;
}

/**
 * Delivers events to one endpoint like Stripe: POST, pretty-printed JSON, `Stripe-Signature`
 * signed with every active secret, retried after a non-2xx, unordered when asked.
 */
export class WebhookSender {
  url: string | undefined;
  /** Active signing secrets; during a rotation the rolled secret stays here next to the new one. */
  secrets: string[];
  switches: WebhookSwitches = {
    duplicate: false,
    delayMs: 0,
    maxAttempts: 3,
    retryBackoffMs: 20,
    paused: false,
  };
  readonly attempts: DeliveryAttempt[] = [];
  private readonly held: StripeEvent[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    opts: { url?: string | undefined; secrets: string[] },
    private readonly onDelivered: (eventId: string) => void,
    private readonly nowSeconds: () => number,
  ) {
    this.url = opts.url;
    this.secrets = opts.secrets;
  }

  /** Starts a rotation: `newSecret` signs alongside the existing ones until `expire()`. */
  rotate(newSecret: string): void {
    this.secrets = [newSecret, ...this.secrets];
  }

  /** Ends a rotation: only the newest secret signs from now on. */
  expireOldSecrets(): void {
    this.secrets = this.secrets.slice(0, 1);
  }

  enqueue(event: StripeEvent): void {
    if (!this.url) return;
    if (this.switches.paused) {
      this.held.push(event);
      return;
    }
    this.dispatch(event);
  }

  release(opts: { reverse?: boolean } = {}): void {
    this.switches.paused = false;
    const events = this.held.splice(0);
    if (opts.reverse) events.reverse();
    for (const e of events) this.dispatch(e);
  }

  /** Resolves once every delivery started so far (and its retries) has finished. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Sends an event again, e.g. a manual "resend" from the Dashboard. */
  resend(event: StripeEvent): void {
    this.dispatch(event);
  }

  private dispatch(event: StripeEvent): void {
    const copies = this.switches.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const p = this.deliver(event).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  private async deliver(event: StripeEvent): Promise<void> {
    const url = this.url;
    if (!url) return;
    const { delayMs, maxAttempts, retryBackoffMs } = this.switches;
    if (delayMs > 0) await sleep(delayMs);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const payload = JSON.stringify(event, null, 2);
      const signature = stripeSignatureHeader({
        payload,
        secrets: this.secrets,
        timestampSeconds: this.nowSeconds(),
      });
      let status: number | 'network_error';
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'stripe-signature': signature,
          },
          body: payload,
        });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 'network_error';
      }
      this.attempts.push({ eventId: event.id, type: event.type, attempt, status });
      if (typeof status === 'number' && status >= 200 && status < 300) {
        this.onDelivered(event.id);
        return;
      }
      if (attempt < maxAttempts) await sleep(retryBackoffMs * 2 ** (attempt - 1));
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
