import { formBody, signNotification } from './signing.ts';

/**
 * Alipay's retry schedule after an answer other than the plain text `success`: the first attempt,
 * then 4m, 10m, 10m, 1h, 2h, 6h, 15h (8 attempts over about 25 hours; opendocs.alipay.com/open/270/105902).
 */
export const ALIPAY_NOTIFY_RETRY_DELAYS_MS = [
  4 * 60_000,
  10 * 60_000,
  10 * 60_000,
  60 * 60_000,
  2 * 60 * 60_000,
  6 * 60 * 60_000,
  15 * 60 * 60_000,
] as const;

export interface NotifyAttempt {
  readonly notifyId: string;
  readonly attempt: number;
  /** The response body as received, or why there was none. */
  readonly outcome: string;
}

export interface NotifierSwitches {
  /** Deliver every notification twice (same notify_id), as Alipay may. */
  duplicate: boolean;
  /** Wait before every attempt. */
  delayMs: number;
}

/**
 * Posts signed notifications to each trade's notify_url, form-encoded, retrying on the injected
 * schedule until the endpoint answers exactly `success`.
 */
export class AlipayNotifier {
  readonly attempts: NotifyAttempt[] = [];
  /** Every notification sent, as posted (signed form body), in order. */
  readonly sent: Array<{ readonly url: string; readonly body: string }> = [];
  readonly switches: NotifierSwitches = { duplicate: false, delayMs: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly signingKeyPem: () => string,
    private readonly retryDelaysMs: readonly number[],
  ) {}

  send(notifyUrl: string, params: Readonly<Record<string, string>>): void {
    const copies = this.switches.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i += 1) {
      const p = this.deliver(notifyUrl, params).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Resolves when every notification sent so far was acknowledged or ran out of attempts. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
  }

  private async deliver(url: string, params: Readonly<Record<string, string>>): Promise<void> {
    // Signed once: a retry carries the same notify_id and signature, so our side can de-duplicate.
    const body = formBody(signNotification(params, this.signingKeyPem())).toString('utf8');
    this.sent.push({ url, body });
    for (let attempt = 1; attempt <= this.retryDelaysMs.length + 1 && !this.closed; attempt += 1) {
      if (attempt > 1) await sleep(this.retryDelaysMs[attempt - 2] ?? 0);
      if (this.switches.delayMs > 0) await sleep(this.switches.delayMs);
      let outcome: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body,
        });
        outcome = await res.text();
      } catch (e) {
        outcome = `network_error: ${(e as Error).message}`;
      }
      this.attempts.push({ notifyId: params.notify_id ?? '', attempt, outcome });
      // Alipay accepts only these seven characters; anything else (even "SUCCESS" or JSON) is a failure.
      if (outcome === 'success') return;
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
