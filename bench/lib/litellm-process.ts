/**
 * The real LiteLLM proxy for the benchmark: the pinned release from scripts/litellm-proxy.sh
 * (installed into .tmp/litellm-venv, or LITELLM_VENV), one worker, no database, with one model
 * `gpt-bench` routed to the same data-plane double the other targets use. LiteLLM's own master key
 * is the double's, so one credential serves `direct`, `litellm` and Tollgate's upstream calls.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { watchStart } from './child.ts';
import { freePort } from './free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LiteLlmProcess {
  url: string;
  /** The Python process (the script `exec`s litellm), for its CPU time. */
  pid: number;
  close(): Promise<void>;
}

/** Starts LiteLLM in front of `upstream`; throws an Error whose message says why it could not. */
export async function startLiteLlm(opts: {
  upstream: string;
  model: string;
  masterKey: string;
  startTimeoutMs?: number;
}): Promise<LiteLlmProcess> {
  // Install first (idempotent), so its minutes are not charged to the start-up timeout.
  const install = spawnSync('bash', ['scripts/litellm-proxy.sh', 'install'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (install.status !== 0)
    throw new Error(
      `install failed: ${(install.stderr || String(install.error ?? `exit ${install.status}`)).trim().split('\n').at(-1)}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-litellm-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'model_list:',
      `  - model_name: ${opts.model}`,
      '    litellm_params:',
      `      model: openai/${opts.model}`,
      `      api_base: ${opts.upstream}/v1`,
      `      api_key: ${opts.masterKey}`,
      'general_settings:',
      `  master_key: ${opts.masterKey}`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LITELLM_LOG: 'ERROR' };
  // DB-less: LiteLLM would otherwise use any DATABASE_URL in the environment for its spend tables.
  delete env.DATABASE_URL;
  const args = [
    'run',
    '--config',
    config,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--num_workers',
    '1',
  ];
  const proc: ChildProcess = spawn('bash', ['scripts/litellm-proxy.sh', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = watchStart(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
  // Polls readiness (a condition, not a fixed wait): LiteLLM takes seconds to import.
  for (;;) {
    const ok = await fetch(`${url}/health/liveliness`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    const why = started.failure(
      Date.now() > deadline ? `not ready after ${opts.startTimeoutMs ?? 120_000} ms` : null,
    );
    if (why) {
      await close();
      throw new Error(why);
    }
    await sleep(250);
  }
  return { url, pid: proc.pid!, close };
}
