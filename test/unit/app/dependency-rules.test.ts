import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// `npm run check:deps` is what CI runs; these run the same CLI and config, on the repository and on
// small planted trees, so a rule that stops matching (or a parser that stops reading .ts, which
// would cruise nothing and pass) fails here.
const root = resolve(import.meta.dirname, '../../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

/** What the check finds under `cwd`; known violations come back with severity `ignore`. */
function check(cwd: string) {
  const run = spawnSync(depcruise, ['src', '--config', config, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
  });
  const result = JSON.parse(run.stdout) as {
    summary: { violations: Violation[]; totalCruised: number; error: number };
  };
  return {
    ...result.summary,
    violations: result.summary.violations.filter((v) => v.rule.severity !== 'ignore'),
  };
}

/** The exit status CI sees (`npm run check:deps` uses the `err` reporter, which sets it). */
function exitStatus(cwd: string) {
  return spawnSync(depcruise, ['src', '--config', config, '--output-type', 'err'], { cwd }).status;
}

const trees: string[] = [];
afterEach(() => {
  for (const dir of trees.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway repository holding only `files` (path → source) under the rules of this one. */
function plant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-deps-'));
  trees.push(dir);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }),
  );
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

describe('check:deps (.dependency-cruiser.cjs)', () => {
  it('passes on the repository and reads every TypeScript module of src', () => {
    const r = check(root);
    expect(r.violations).toEqual([]);
    expect(r.error).toBe(0);
    expect(r.totalCruised).toBeGreaterThan(100);
  });

  it('fails on an import cycle between two modules', () => {
    const tree = plant({
      'src/lib/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/lib/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    expect(check(tree).violations.map((v) => v.rule.name)).toContain('no-circular');
    expect(exitStatus(tree)).not.toBe(0);
  });

  it('fails on a type-only cycle too', () => {
    const r = check(
      plant({
        'src/lib/a.ts': "import type { B } from './b.ts';\nexport type A = { b?: B };\n",
        'src/lib/b.ts': "import type { A } from './a.ts';\nexport type B = { a?: A };\n",
      }),
    );
    expect(r.violations.map((v) => v.rule.name)).toContain('no-circular');
  });

  it('fails on a cycle between folders (risk and notifications) without a module cycle', () => {
    const r = check(
      plant({
        'src/risk/service.ts':
          "import { notify } from '../notifications/service.ts';\nexport const r = notify;\n",
        'src/risk/settings.ts': 'export const settings = {};\n',
        'src/notifications/service.ts':
          "import { settings } from '../risk/settings.ts';\nexport const notify = () => settings;\n",
      }),
    );
    expect(r.violations.map((v) => v.rule.name)).toEqual(expect.arrayContaining(['no-circular-folders']));
    expect(r.violations.map((v) => v.rule.name)).not.toContain('no-circular');
  });

  it('fails when a domain imports the composition root, GraphQL or the proxy', () => {
    const r = check(
      plant({
        'src/app/compose.ts': 'export const compose = 1;\n',
        'src/schema/index.ts': 'export const schema = 1;\n',
        'src/proxy/handler.ts': 'export const proxy = 1;\n',
        'src/ledger/wallets.ts':
          "import { compose } from '../app/compose.ts';\nimport { schema } from '../schema/index.ts';\nimport { proxy } from '../proxy/handler.ts';\nexport const x = [compose, schema, proxy];\n",
      }),
    );
    const forbidden = r.violations.filter((v) => v.rule.name === 'domains-import-no-edge').map((v) => v.to);
    expect(forbidden.sort()).toEqual(['src/app/compose.ts', 'src/proxy/handler.ts', 'src/schema/index.ts']);
  });

  it('fails when lib, db or infra import a domain, and when src imports a test', () => {
    const r = check(
      plant({
        'src/ledger/money.ts': 'export const money = 1;\n',
        'src/db/client.ts': "import { money } from '../ledger/money.ts';\nexport const db = money;\n",
        'src/infra/breaker.ts': "import { money } from '../ledger/money.ts';\nexport const b = money;\n",
        'test/doubles/stripe.ts': 'export const fake = 1;\n',
        'src/lib/ids.ts': "import { fake } from '../../test/doubles/stripe.ts';\nexport const id = fake;\n",
      }),
    );
    expect(r.violations.map((v) => `${v.rule.name} ${v.from}`).sort()).toEqual([
      'base-imports-no-domain src/db/client.ts',
      'infra-imports-no-domain src/infra/breaker.ts',
      'src-imports-no-tests src/lib/ids.ts',
    ]);
  });
});
