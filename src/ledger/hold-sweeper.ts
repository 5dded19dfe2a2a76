import { logger } from '../lib/logger.ts';
import type { Holds } from './holds.ts';

export interface HoldSweeperOptions {
  intervalMs: number;
  batchSize?: number;
}

/**
 * Releases holds whose TTL has passed (status → expired, the wallet's held amount freed). Holds are
 * claimed with FOR UPDATE SKIP LOCKED, so every gateway process may run a sweeper: each expired
 * hold is released exactly once.
 */
export class HoldSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly ledger: Pick<Holds, 'sweepExpiredHolds'>,
    private readonly opts: HoldSweeperOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((err) => logger.error({ err }, 'hold sweep failed'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs);
    };
    this.timer = setTimeout(tick, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Sweeps until no expired hold is left (or this call made batchSize releases); returns their ids. */
  async runOnce(): Promise<string[]> {
    const swept = await this.ledger.sweepExpiredHolds(this.opts.batchSize ?? 500);
    if (swept.length) logger.info({ count: swept.length }, 'expired holds released');
    return swept;
  }
}
