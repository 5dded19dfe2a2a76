import type { ChildProcess } from 'node:child_process';

/** A bench child's first line on stdout (where each prints its address); rejects if it exits first. */
export function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout!.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i !== -1) resolve(buf.slice(0, i));
    });
    p.once('exit', (code) => reject(new Error(`${p.spawnargs.join(' ')} exited ${code}`)));
  });
}

/**
 * Watches a server child while it starts: keeps the tail of its output and a spawn failure (an
 * unheard 'error' event would end the whole bench), so a start that fails says why.
 */
export function watchStart(proc: ChildProcess): {
  /** Why the child will not serve (spawn failed, exited, or `late` past the deadline), else null. */
  failure(late: string | null): string | null;
} {
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d).slice(-4000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let spawnError: Error | null = null;
  proc.once('error', (e) => {
    spawnError = e;
  });
  return {
    failure(late) {
      const last = log.trim().split('\n').at(-1) ?? '';
      if (spawnError) return `could not start: ${String(spawnError)}`;
      if (proc.exitCode !== null) return `exited ${proc.exitCode}: ${last}`;
      return late === null ? null : `${late}: ${last}`;
    },
  };
}
