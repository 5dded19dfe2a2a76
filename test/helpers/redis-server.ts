import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * A redis-server of the test's own, to stop and start (never the shared one the suite provisions).
 * Ports 57600–57699 are for these; data lives under .tmp/.
 */
export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts on `port`, or on the next ones of 57600–57699 when it is taken: these ports lie in Linux's
 * ephemeral range, so another test's outgoing connection can hold one (seen once in a CI run).
 */
export async function startOwnRedis(port: number): Promise<OwnRedis> {
  for (let attempt = 0; ; attempt++) {
    const p = 57600 + ((port - 57600 + attempt) % 100);
    try {
      return await startOwnRedisOn(p);
    } catch (err) {
      if (attempt >= 9) throw err;
    }
  }
}

async function startOwnRedisOn(port: number): Promise<OwnRedis> {
  const dir = path.resolve(import.meta.dirname, '../../.tmp', `redis-${port}`);
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => child!.once('exit', r));
    for (;;) {
      if (await pong(port)) return;
      if ((await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 20))])) !== 'wait')
        throw new Error(`redis-server on ${port} exited at start (port taken?)`);
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
      child = null;
    },
  };
}
