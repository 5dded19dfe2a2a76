import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataPlaneDouble, startDataPlaneDouble } from '../../../testkit/doubles/litellm-data-plane.ts';
import { skipWithoutTool } from '../../helpers/optional-tool.ts';
import { FakeAdmission } from '../../../testkit/fake-admission.ts';
import { type ProxyServer, startProxyServer } from './harness.ts';

/**
 * Tollgate's proxy → the real, unmodified LiteLLM proxy (no database, master key only) → the
 * data-plane double as an OpenAI-compatible provider. Proves the usage LiteLLM streams back is the
 * usage we settle. LiteLLM comes from scripts/litellm-proxy.sh (pinned, installed into .tmp).
 */
const install = spawnSync('bash', ['scripts/litellm-proxy.sh', 'install'], {
  encoding: 'utf8',
  timeout: 600_000,
});
// May skip on a machine without PyPI; in CI it runs or fails.
const skip = skipWithoutTool(
  'real-litellm.test.ts',
  install.status === 0
    ? null
    : `LiteLLM could not be installed: ${(install.stderr || String(install.error)).trim().slice(-500)}`,
);

const MASTER = 'sk-real-litellm-master';
const PROVIDER_KEY = 'sk-provider-key';
const KEY = 'tg-key-bob';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip)('through the real LiteLLM proxy', () => {
  let double: DataPlaneDouble;
  let litellm: ChildProcess;
  let admission: FakeAdmission;
  let proxy: ProxyServer;
  let client: OpenAI;
  let log = '';

  beforeAll(async () => {
    double = await startDataPlaneDouble({
      masterKey: PROVIDER_KEY,
      promptTokens: 13,
      completionTokens: 5,
      cachedTokens: 2,
    });
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-litellm-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'model_list:',
        '  - model_name: gpt-real',
        '    litellm_params:',
        '      model: openai/gpt-real',
        `      api_base: ${double.url}/v1`,
        `      api_key: ${PROVIDER_KEY}`,
        'general_settings:',
        `  master_key: ${MASTER}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, LITELLM_LOG: 'ERROR' };
    delete env.DATABASE_URL;
    litellm = spawn(
      'bash',
      ['scripts/litellm-proxy.sh', 'run', '--config', config, '--port', String(port), '--host', '127.0.0.1'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    litellm.stdout!.on('data', (d) => (log += d));
    litellm.stderr!.on('data', (d) => (log += d));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/health/liveliness`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 240 || litellm.exitCode !== null)
        throw new Error(`LiteLLM did not start:\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    admission = new FakeAdmission({ [KEY]: { userId: 'usr_bob' } }, MASTER);
    proxy = await startProxyServer({ upstreamUrl: url, admission, env: { LITELLM_MASTER_KEY: MASTER } });
    client = new OpenAI({ apiKey: KEY, baseURL: `${proxy.url}/v1`, maxRetries: 0 });
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    litellm?.kill('SIGTERM');
    await double?.close();
  });

  const exact = { promptTokens: 13, completionTokens: 5, cachedTokens: 2, totalTokens: 18 };

  it('settles the usage of a non-streamed completion', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-real', messages: [{ role: 'user', content: 'hi' }], user: 'usr_spoof' })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the double.');
    await admission.closed(1);
    expect(admission.settles[0]!.outcome).toMatchObject({
      status: 'succeeded',
      usage: exact,
      estimated: false,
    });
    expect(response.headers.get('x-tollgate-cost-nanos')).toBe('18000');
    // LiteLLM keeps the end user for itself (spend, budgets) rather than forwarding `user` to the provider.
    expect(double.requests.at(-1)!.body.user).toBeUndefined();
  });

  it('settles the usage of a streamed completion and hides the usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-real',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    let sawUsage = false;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) sawUsage = true;
    }
    expect(text).toBe('Hello from the double.');
    expect(sawUsage).toBe(false);
    await admission.closed(2);
    expect(admission.settles[1]!.outcome).toMatchObject({
      status: 'succeeded',
      usage: exact,
      estimated: false,
    });
  });

  it('lists the models LiteLLM serves', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toContain('gpt-real');
  });
});
