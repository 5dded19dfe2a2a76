import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { logger } from '../lib/logger.ts';

/**
 * The embedded database is single-process: PGlite keeps the database in the process's memory and
 * writes it back to its directory, so a second process on the same directory (a `tollgate
 * bootstrap` while the gateway runs) would write past the first and lose its own writes.
 */
export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; hostname: string },
    readonly lockFile: string,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Tollgate process (pid ${holder.pid}). ` +
        'It is single-process: stop that process first, or set DATABASE_URL to use PostgreSQL. ' +
        `If no Tollgate process runs, delete ${lockFile}.`,
    );
    this.name = 'DatabaseInUseError';
  }
}

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): { pid: number; hostname: string } | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8'));
    return typeof h?.pid === 'number' && typeof h?.hostname === 'string' ? h : null;
  } catch {
    return null;
  }
}

/**
 * Takes the data directory for this process, or throws DatabaseInUseError when a live process
 * holds it. A lock left by a process that died (kill -9, a crash, a container that is gone) is
 * taken over. Returns the release function; the lock is also released when the process exits.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'tollgate.lock');
  // Written aside, then linked into place: the lock appears with its content or not at all, so no
  // process can read an empty lock and take it for a dead one's.
  const draft = `${file}.${process.pid}`;
  writeFileSync(
    draft,
    JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() }),
  );
  try {
    for (;;) {
      try {
        linkSync(draft, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      const ours = holder?.pid === process.pid && held.has(file);
      const live =
        holder && holder.hostname === hostname() && holder.pid !== process.pid && alive(holder.pid);
      if (holder && (ours || live)) throw new DatabaseInUseError(dataDir, holder, file);
      logger.warn(
        { lockFile: file, holder },
        'taking over the embedded database lock of a process that is gone',
      );
      try {
        unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  } finally {
    unlinkSync(draft);
  }
  held.add(file);
  const release = () => {
    if (!held.delete(file)) return;
    process.off('exit', release);
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}
