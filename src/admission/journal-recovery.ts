import { logger } from '../lib/logger.ts';
import type { OrphanBatch, SettlementJournal } from './settlement-journal.ts';

/**
 * Every `intervalMs`, takes over what processes that are gone left in the settlement journal and
 * posts it (`post` resolves with the ids it posted; the rest stay for the next round, e.g. while
 * the database is away). One round at a time.
 */
export class JournalRecovery {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly journal: SettlementJournal,
    private readonly post: (batch: OrphanBatch) => Promise<string[]>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One round now (or the one in progress): claims and posts orphan batches until none is left. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      for (let batch = await this.journal.claimOrphans(); batch; batch = await this.journal.claimOrphans()) {
        const posted = await this.post(batch);
        await batch.done(posted);
        if (posted.length < batch.entries.length) break; // the rest waits for the next round
      }
    })()
      .catch((err) => logger.warn({ err }, 'settlement journal recovery failed; retrying next round'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
