import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime of a process in µs, or 0 if it is gone (or /proc is not readable). */
export function procCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) in clock ticks; 100 Hz on Linux.
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
  } catch {
    return 0;
  }
}

/** `pid` and all its descendants (from /proc/<pid>/task/<tid>/children), parents first; [] if it is gone. */
export function procTree(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return [pid, ...children.flatMap(procTree)];
}

/** CPU µs of `pid` and its descendants (a process that exited since the last read loses its time). */
export function procTreeCpuUs(pid: number): number {
  return procTree(pid).reduce((n, p) => n + procCpuUs(p), 0);
}

/** Resident set size (VmRSS) of a process in bytes, or 0 if it is gone. */
export function procRssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
