import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own, to stop and start (never the shared one the suite
 * provisions), started by hand as scripts/services.sh does. Ports 57600–57699; data under .tmp/.
 */
export interface OwnPostgres {
  adminUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startOwnPostgres(port: number): Promise<OwnPostgres> {
  const bindir = path.join(
    '/usr/lib/postgresql',
    (await run('ls', ['/usr/lib/postgresql'])).stdout.trim().split('\n').sort().at(-1)!,
    'bin',
  );
  const tmp = path.resolve(import.meta.dirname, '../../.tmp');
  const data = path.join(tmp, `pg-${port}`);
  const root = process.getuid?.() === 0;
  const as = async (cmd: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    mkdirSync(data, { recursive: true });
    if (root) await run('chown', ['postgres', tmp, data]);
    await as(path.join(bindir, 'initdb'), ['-D', data, '-U', 'tollgate', '--auth=trust', '-N']);
  }
  const start = async () => {
    await as(path.join(bindir, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(tmp, `pg-${port}.log`),
      '-w',
      '-o',
      `-p ${port} -k ${tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
      'start',
    ]);
  };
  await start();
  return {
    adminUrl: `postgresql://tollgate@127.0.0.1:${port}/postgres`,
    start,
    async stop() {
      await as(path.join(bindir, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
}
