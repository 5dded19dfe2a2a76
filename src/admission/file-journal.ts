import { mkdirSync, readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { GroupCommit } from '../lib/group-commit.ts';
import { logger } from '../lib/logger.ts';
import {
  type JournalEntry,
  type OrphanBatch,
  type SettlementJournal,
  decodeEntry,
  encodeEntry,
} from './settlement-journal.ts';

const FILE = 'settlement-journal.log';
/** Once nothing is outstanding, a file larger than this starts again empty. */
const COMPACT_BYTES = 1 << 20;

interface Line {
  text: string;
  /** Appended entries are fsynced before their caller goes on; acknowledgements need not be (a lost one re-posts, idempotently). */
  sync: boolean;
}

/**
 * The journal of single-node mode (no Redis): an append-only file in the data directory, one line
 * per entry (`A <id> <json>`) or acknowledgement (`D <id>`). Appends are group-committed: one
 * write and one fdatasync for every entry that arrived while the previous one ran. At start, the
 * entries of the previous life not acknowledged are the orphans (`claimOrphans` hands them over
 * once); a torn last line (the process died mid-write) is skipped.
 */
export class FileJournal implements SettlementJournal {
  readonly kind = 'file' as const;
  private handle: Promise<FileHandle> | null = null;
  private readonly path: string;
  private nextId: number;
  private readonly outstanding = new Set<string>();
  private orphans: OrphanBatch['entries'];
  private sizeBytes: number;
  /** The previous life's last line was torn: the first write starts a new line, or it would join it. */
  private tornTail: boolean;
  private readonly writes: GroupCommit<Line, void>;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, FILE);
    const { entries, maxId, size, tornTail } = readJournal(this.path);
    this.tornTail = tornTail;
    this.orphans = entries;
    this.nextId = maxId + 1;
    this.sizeBytes = size;
    for (const e of entries) this.outstanding.add(e.id);
    this.writes = new GroupCommit((_k, lines) => this.flush(lines));
  }

  async append(entry: JournalEntry): Promise<string> {
    const id = String(this.nextId++);
    this.outstanding.add(id);
    await this.writes.submit('', { text: `A ${id} ${encodeEntry(entry)}\n`, sync: true });
    return id;
  }

  async ack(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) this.outstanding.delete(id);
    await this.writes.submit('', { text: ids.map((id) => `D ${id}\n`).join(''), sync: false });
  }

  async claimOrphans(): Promise<OrphanBatch | null> {
    if (this.orphans.length === 0) return null;
    const entries = this.orphans;
    this.orphans = [];
    return {
      entries,
      done: async (ids) => {
        const posted = new Set(ids);
        // What was not posted (the database is still away) is offered again on the next claim.
        this.orphans.push(...entries.filter((e) => !posted.has(e.id)));
        await this.ack(ids);
      },
    };
  }

  async close(): Promise<void> {
    if (!this.handle) return;
    const h = await this.handle;
    this.handle = null;
    await h.close();
  }

  private async flush(lines: Line[]): Promise<PromiseSettledResult<void>[]> {
    this.handle ??= open(this.path, 'a');
    const h = await this.handle;
    if (this.outstanding.size === 0 && this.sizeBytes > COMPACT_BYTES && this.orphans.length === 0) {
      await h.truncate(0);
      this.sizeBytes = 0;
    }
    const text = (this.tornTail ? '\n' : '') + lines.map((l) => l.text).join('');
    this.tornTail = false;
    await h.write(text);
    this.sizeBytes += Buffer.byteLength(text);
    if (lines.some((l) => l.sync)) await h.datasync();
    return lines.map(() => ({ status: 'fulfilled', value: undefined }));
  }
}

function readJournal(path: string): {
  entries: OrphanBatch['entries'];
  maxId: number;
  size: number;
  tornTail: boolean;
} {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { entries: [], maxId: 0, size: 0, tornTail: false };
    throw err;
  }
  const pending = new Map<string, JournalEntry>();
  let maxId = 0;
  for (const line of text.split('\n')) {
    const [kind, id] = line.split(' ', 2);
    if (!id) continue;
    maxId = Math.max(maxId, Number(id) || 0);
    if (kind === 'D') pending.delete(id);
    else if (kind === 'A')
      try {
        pending.set(id, decodeEntry(line.slice(kind.length + id.length + 2)));
      } catch {
        logger.warn({ id }, 'torn settlement journal line skipped');
      }
  }
  return {
    entries: [...pending].map(([id, entry]) => ({ id, entry })),
    maxId,
    size: Buffer.byteLength(text),
    tornTail: text.length > 0 && !text.endsWith('\n'),
  };
}
