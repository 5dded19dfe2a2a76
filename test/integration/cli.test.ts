import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startGatewayProcess } from '../helpers/gateway-process.ts';

const COMMANDS = ['serve', 'migrate', 'bootstrap'];

describe('tollgate CLI: usage', () => {
  it.each([[[]], [['--help']], [['-h']], [['help']]])(
    'tollgate %j prints the usage and exits 0',
    async (args) => {
      const r = await runCli(args);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^usage: tollgate <command>/);
      for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c} `);
      expect(r.stdout).toContain('exit codes: 0 ok, 1 failed, 2 usage error');
    },
  );

  it.each(COMMANDS)(
    'tollgate %s --help prints its usage and exits 0, whatever the environment',
    async (c) => {
      // An invalid setting would stop the command itself (exit 78); help never reads the configuration.
      const r = await runCli([c, '--help'], { PORT: 'not-a-port' });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^usage: tollgate ${c}`));
      expect((await runCli([c, '-h'])).stdout).toBe(r.stdout);
      expect((await runCli(['help', c])).stdout).toBe(r.stdout);
    },
  );

  it('names an unknown option, prints the usage to stderr and exits 2', async () => {
    const r = await runCli(['bootstrap', '--org', 'Acme', '--emial', 'a@b.test']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tollgate bootstrap: unknown option --emial\n\nusage: tollgate bootstrap /);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('says which option lacks its value, and which arguments are missing', async () => {
    const missingValue = await runCli(['bootstrap', '--org']);
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toMatch(
      /^tollgate bootstrap: option '--org <value>' argument missing\n\nusage:/,
    );
    const missing = await runCli(['bootstrap', '--org', 'Acme']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tollgate bootstrap: --org and --email are required\n\nusage:/);
  });

  it('names an unknown command and exits 2', async () => {
    const r = await runCli(['bootstrapp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tollgate: unknown command 'bootstrapp'\n\nusage: tollgate <command>/);
    expect((await runCli(['help', 'bootstrapp'])).code).toBe(2);
  });

  it('exits 78 with the reason when the configuration is invalid', async () => {
    const r = await runCli(['migrate'], { PORT: 'not-a-port' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('PORT');
  });
});

describe('tollgate bootstrap on the embedded database', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'tollgate-cli-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const args = ['bootstrap', '--org', 'Acme', '--email', 'owner@acme.test', '--json'];

  it('refuses at once while the gateway runs on it, writing nothing; works once the gateway is stopped', async () => {
    const env = { TOLLGATE_DATA_DIR: dataDir() };
    const gateway = await startGatewayProcess(env);
    try {
      const refused = await runCli(args, env);
      expect(refused.code).toBe(75);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`is in use by another Tollgate process (pid ${gateway.pid})`);
      expect(refused.stderr).toContain('stop that process first, or set DATABASE_URL');
      expect(gateway.alive()).toBe(true);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }

    // Nothing was written: the same slug is free, and the key printed now works.
    const done = await runCli(args, env);
    expect(done.code).toBe(0);
    const out = JSON.parse(done.stdout);
    expect(out.apiKey).toMatch(/^tg-/);
    const again = await startGatewayProcess(env);
    try {
      const res = await fetch(`${again.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${out.apiKey}` },
        body: JSON.stringify({ query: '{ viewer { role organization { slug } } }' }),
      });
      expect((await res.json()).data.viewer).toEqual({
        role: 'OWNER',
        organization: { slug: 'acme' },
      });
    } finally {
      await again.stop();
    }
  }, 180_000);
});
