import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { signInOverHttp } from '../../helpers/session.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** `tollgate <args>` with `stdin` piped in (a password, as a script would give it). */
function tollgate(args: string[], stdin: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/tollgate.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', NODE_OPTIONS: '', ...env },
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
    child.stdin.end(stdin);
  });
}

describe('tollgate user: the first operator and the first owner can sign in', () => {
  let db: TestDatabase;
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    env = { DATABASE_URL: db.url!, MIGRATE_ON_START: 'false' };
    t = await startTestApp(db, { state: 'memory' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('bootstrap names the next step; user set-password gives the owner a password the console accepts', async () => {
    const boot = await tollgate(['bootstrap', '--org', 'Acme', '--email', 'Owner@Acme.test'], '', env);
    expect(boot.code).toBe(0);
    expect(boot.stdout).toContain('tollgate user set-password --email Owner@Acme.test');
    const set = await tollgate(
      ['user', 'set-password', '--email', 'owner@acme.test'],
      'owner password 123\n',
      env,
    );
    expect(set).toMatchObject({ code: 0, stderr: '' });
    const s = await signInOverHttp(t.url, 'OWNER@acme.test', 'owner password 123');
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-tollgate-csrf': s.csrf },
      body: JSON.stringify({ query: '{ viewer { role organization { name } } }' }),
    });
    expect(((await res.json()) as any).data.viewer).toEqual({
      role: 'OWNER',
      organization: { name: 'Acme' },
    });
  });

  it('bootstrap prints a one-time link that gives the owner a password (verified), and only once', async () => {
    const boot = await tollgate(
      ['bootstrap', '--org', 'Linked', '--email', 'owner@linked.test', '--json'],
      '',
      env,
    );
    expect(boot.code).toBe(0);
    const { setPasswordUrl } = JSON.parse(boot.stdout) as { setPasswordUrl: string };
    const url = new URL(setPasswordUrl);
    expect(url.pathname).toBe('/console/reset-password');
    const token = url.searchParams.get('token')!;
    const reset = async () => {
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($t: String!) { resetPassword(token: $t, password: "linked owner password") }',
          variables: { t: token },
        }),
      });
      return (await res.json()) as any;
    };
    expect((await reset()).data).toEqual({ resetPassword: true });
    expect((await reset()).errors[0].extensions.code).toBe('TOKEN_INVALID');
    const s = await signInOverHttp(t.url, 'owner@linked.test', 'linked owner password');
    expect(s.csrf).toBeTruthy();
    // The link is only printed for an owner without a password.
    const again = await tollgate(
      ['bootstrap', '--org', 'Linked Two', '--email', 'owner@linked.test', '--json'],
      '',
      env,
    );
    expect(JSON.parse(again.stdout).setPasswordUrl).toBeNull();
  });

  it('user create-operator makes a platform-admin user who signs in with the operator’s powers', async () => {
    const r = await tollgate(
      ['user', 'create-operator', '--email', 'ops@example.test'],
      'operator password 1\n',
      env,
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const s = await signInOverHttp(t.url, 'ops@example.test', 'operator password 1');
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-tollgate-csrf': s.csrf },
      body: JSON.stringify({ query: '{ viewer { isPlatformAdmin organizations { role } } }' }),
    });
    expect(((await res.json()) as any).data.viewer).toEqual({ isPlatformAdmin: true, organizations: [] });
    // The login is unique: a second operator with the same email is refused, one line, exit 1.
    const again = await tollgate(
      ['user', 'create-operator', '--email', 'OPS@example.test'],
      'operator password 2\n',
      env,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("tollgate: Another user already signs in as 'ops@example.test'\n");
  });

  it('refuses a short password and an unknown email with one line and exit 1, and --email missing with usage', async () => {
    const short = await tollgate(['user', 'set-password', '--email', 'owner@acme.test'], 'short\n', env);
    expect(short.code).toBe(1);
    expect(short.stderr).toBe('tollgate: password: must be at least 12 characters\n');
    const unknown = await tollgate(
      ['user', 'set-password', '--email', 'nobody@acme.test'],
      'long enough password\n',
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^tollgate: .*nobody@acme\.test.*\n$/);
    const usage = await tollgate(['user', 'set-password'], '', env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^tollgate user set-password: --email is required\n\nusage:/);
    const help = await tollgate(['help', 'user', 'create-operator'], '', env);
    expect(help.stdout).toMatch(/^usage: tollgate user create-operator/);
  });
});
