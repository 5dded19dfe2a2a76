import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('logs a rejection nobody awaited with its request id, and the process keeps running', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'unhandled-rejection.child.ts')],
    { env: { ...process.env, LOG_LEVEL: 'info', NODE_OPTIONS: '' } },
  );
  const lines = stdout.trim().split('\n');
  expect(lines.at(-1)).toBe('still running');
  const logged = JSON.parse(lines[0]!);
  expect(logged).toMatchObject({
    level: 50,
    msg: 'unhandled promise rejection',
    request_id: 'req-orphaned',
    err: { message: 'nobody awaited this' },
  });
});
