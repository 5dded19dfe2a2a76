import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of this test process without Tollgate's own settings, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'TOLLGATE_DATA_DIR', 'NODE_OPTIONS'].includes(k),
    ),
  );
  return { ...base, LOG_LEVEL: 'silent', ...env };
}

/** Runs `tollgate <args>` (bin/tollgate.js, as a user would) to its end. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/tollgate.js'), ...args], {
      cwd: ROOT,
      env: cleanEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Every log line the gateway wrote so far (pino JSON). */
  logs(): string[];
  /** Resolves with the exit code (null: killed by a signal) once the process ended. */
  exited: Promise<number | null>;
  /** Still running? */
  alive(): boolean;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | null>;
}

/** Starts `tollgate serve [args]` as its own process on a free port and waits until it listens. */
export async function startGatewayProcess(
  env: Record<string, string>,
  args: string[] = [],
): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/tollgate.js'), 'serve', ...args],
    {
      cwd: ROOT,
      env: cleanEnv({ LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', OUTBOX_ENABLED: 'false', ...env }),
    },
  );
  const lines: string[] = [];
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"tollgate listening"')) resolve(JSON.parse(line).port);
      }
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    logs: () => [...lines],
    exited,
    alive: () => running,
    async stop() {
      if (running) child.kill('SIGTERM');
      return exited;
    },
  };
}
