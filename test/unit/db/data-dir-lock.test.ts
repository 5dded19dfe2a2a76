import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, lockDataDir } from '../../../src/db/data-dir-lock.ts';

describe('the embedded database directory lock', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'tollgate-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const holdBy = (d: string, pid: number, host = hostname()) =>
    writeFileSync(path.join(d, 'tollgate.lock'), JSON.stringify({ pid, hostname: host }));

  it('is held by one opener at a time, and free again once released', () => {
    const d = dir();
    const release = lockDataDir(d);
    expect(JSON.parse(readFileSync(path.join(d, 'tollgate.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    expect(() => lockDataDir(d)).toThrow(DatabaseInUseError);
    release();
    expect(existsSync(path.join(d, 'tollgate.lock'))).toBe(false);
    lockDataDir(d)();
  });

  it('refuses while another live process on this host holds it, naming that process', () => {
    const d = dir();
    holdBy(d, process.ppid);
    expect(() => lockDataDir(d)).toThrow(
      expect.objectContaining({
        name: 'DatabaseInUseError',
        holder: { pid: process.ppid, hostname: hostname() },
      }),
    );
    expect(JSON.parse(readFileSync(path.join(d, 'tollgate.lock'), 'utf8')).pid).toBe(process.ppid);
  });

  it.each([
    ['a process that is gone', 2 ** 22 + 1, hostname()],
    ['another host (a container that is gone)', process.ppid, 'elsewhere'],
  ])('takes over the lock of %s', (_name, pid, host) => {
    const d = dir();
    holdBy(d, pid, host);
    const release = lockDataDir(d);
    expect(JSON.parse(readFileSync(path.join(d, 'tollgate.lock'), 'utf8')).pid).toBe(process.pid);
    release();
  });
});
