/**
 * The chaos suite's own PostgreSQL and Redis (data under .tmp/chaos) and its gateway child
 * processes. Never the shared 55432 / 56379 instances: these are killed and restarted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const CHAOS_DIR = join(ROOT, '.tmp', 'chaos');
const isRoot = process.getuid?.() === 0;

function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  return `/usr/lib/postgresql/${versions.at(-1)}/bin/${name}`;
}

/** Runs a PostgreSQL tool as the postgres user when we are root (PostgreSQL refuses to run as root). */
function pgRun(tool: string, args: string[]): string {
  const cmd = isRoot ? 'runuser' : pgBin(tool);
  const argv = isRoot ? ['-u', 'postgres', '--', pgBin(tool), ...args] : args;
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The port named by `envVar`, else one the kernel reports free now: take it just before the server
 * that binds it starts. The fixed ports of before (57500…) lay in Linux's ephemeral range
 * (32768–60999), where any outgoing connection may hold one when the suite starts.
 */
export async function chaosPort(envVar: string): Promise<number> {
  const named = process.env[envVar];
  if (named) return Number(named);
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

export class ChaosPostgres {
  readonly dir = join(CHAOS_DIR, 'pg');
  constructor(readonly port: number) {}

  get adminUrl(): string {
    return `postgresql://tollgate@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    mkdirSync(CHAOS_DIR, { recursive: true });
    if (isRoot) execFileSync('chown', ['postgres', CHAOS_DIR]);
    if (!existsSync(join(this.dir, 'PG_VERSION'))) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
      if (isRoot) execFileSync('chown', ['postgres', this.dir]);
      pgRun('initdb', ['-D', this.dir, '-U', 'tollgate', '--auth=trust', '-N']);
    }
    // Durable settings (fsync on): the suite tests what production runs.
    pgRun('pg_ctl', [
      '-D',
      this.dir,
      '-l',
      join(CHAOS_DIR, 'pg.log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${CHAOS_DIR} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
  }

  /** Immediate stop: connections are cut, as a crash or a failover would. */
  stop(): void {
    pgRun('pg_ctl', ['-D', this.dir, '-m', 'immediate', '-w', 'stop']);
  }

  running(): boolean {
    try {
      pgRun('pg_ctl', ['-D', this.dir, 'status']);
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    if (this.running()) this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops a PostgreSQL left running by an earlier run (on whatever port it had) and removes its data. */
  static destroyData(): void {
    new ChaosPostgres(0).destroy();
  }
}

export class ChaosRedis {
  private proc: ChildProcess | null = null;
  readonly dir = join(CHAOS_DIR, 'redis');
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** appendfsync always: what docs/reliability.md asks for the journal's guarantee. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { stdio: 'pipe' });
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error('chaos redis did not start');
  }

  /** kill -9 of Redis; with `loseData` its append-only file goes too (a replacement with nothing). */
  async kill(loseData: boolean): Promise<void> {
    const p = this.proc;
    if (!p) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
    if (loseData) rmSync(this.dir, { recursive: true, force: true });
  }

  async destroy(): Promise<void> {
    await this.kill(true);
  }
}

export interface GatewayProcess {
  name: string;
  url: string;
  port: number;
  proc: ChildProcess;
  /** Set when the process exited; `killed` when the suite killed it. */
  exit: { code: number | null; signal: string | null; killed: boolean } | null;
  output: string[];
}

export async function startGatewayProcess(
  name: string,
  port: number,
  env: Record<string, string>,
): Promise<GatewayProcess> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/tollgate.js'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const g: GatewayProcess = { name, url: `http://127.0.0.1:${port}`, port, proc, exit: null, output: [] };
  const keep = (b: Buffer) => {
    g.output.push(b.toString());
    if (g.output.length > 200) g.output.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.once('exit', (code, signal) => {
    g.exit = { code, signal, killed: g.exit?.killed ?? false };
  });
  for (let i = 0; i < 600; i++) {
    if (g.exit) throw new Error(`gateway ${name} exited at start:\n${g.output.join('')}`);
    const ok = await fetch(`${g.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return g;
    await sleep(100);
  }
  throw new Error(`gateway ${name} did not start:\n${g.output.join('')}`);
}

/** kill -9, recorded as a kill of ours (not a crash). */
export async function killGateway(g: GatewayProcess): Promise<void> {
  if (g.exit) return;
  g.exit = { code: null, signal: null, killed: true };
  const exited = new Promise((r) => g.proc.once('exit', r));
  g.proc.kill('SIGKILL');
  await exited;
  g.exit = { code: null, signal: 'SIGKILL', killed: true };
}

/** SIGTERM: the graceful shutdown (drains postings up to SETTLEMENT_DRAIN_TIMEOUT_MS). */
export async function stopGateway(g: GatewayProcess): Promise<void> {
  if (g.exit) return;
  g.exit = { code: null, signal: null, killed: true };
  const exited = new Promise((r) => g.proc.once('exit', r));
  g.proc.kill('SIGTERM');
  await exited;
}
