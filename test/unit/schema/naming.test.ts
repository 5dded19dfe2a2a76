/**
 * One spelling for names a client matches on (issue #16): every GraphQL enum value and every error
 * `code` Tollgate emits, on /graphql and on /v1, is SCREAMING_SNAKE_CASE. Enum values are declared
 * through `screamingEnum` (src/schema/enums.ts), which keeps the internal (database) value lowercase.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { GraphQLEnumType as EnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/schema/index.ts';
import { screamingCase } from '../../../src/schema/enums.ts';

// Pothos builds the schema with graphql's CommonJS build; use the same copy for `instanceof`.
const { GraphQLEnumType } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
type GraphQLEnumType = EnumType;

const SCREAMING = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

describe('GraphQL enum values', () => {
  const enums = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLEnumType => t instanceof GraphQLEnumType && !t.name.startsWith('__'),
  );

  it('are all SCREAMING_SNAKE_CASE', () => {
    expect(enums.length).toBeGreaterThan(20);
    const offenders = enums.flatMap((e) =>
      e.getValues().flatMap((v) => (SCREAMING.test(v.name) ? [] : [`${e.name}.${v.name}`])),
    );
    expect(offenders).toEqual([]);
  });

  it('carry the unchanged internal value resolvers and the database use', () => {
    const scope = schema.getType('ApiScope') as GraphQLEnumType;
    expect(scope.getValue('INFERENCE')?.value).toBe('inference');
    const grouping = schema.getType('UsageGrouping') as GraphQLEnumType;
    expect(grouping.serialize('day_and_model')).toBe('DAY_AND_MODEL');
    expect(grouping.parseLiteral({ kind: 'EnumValue', value: 'DAY_AND_MODEL' } as never, {})).toBe(
      'day_and_model',
    );
    for (const e of enums)
      for (const v of e.getValues())
        expect(screamingCase(String(v.value)), `${e.name}.${v.name}`).toBe(v.name);
  });
});

/** Every `.ts` file under src/, generated Prisma client excluded. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'generated' ? [] : sources(path);
    return d.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level arguments of the call whose `(` is at `open`, as source text. */
function callArgs(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote = '';
  let from = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(from, i).trim());
        return args;
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  return args;
}

const literal = (arg: string | undefined) => /^'([^']*)'$/.exec(arg ?? '')?.[1];

/**
 * Every code written in src/: the `code` argument of each `super(…)` / `new XError(…)` call (its position
 * read from the error class's own constructor), each default `code = '…'`, and each `code: '…'` of an
 * error body or GraphQL `extensions` built by hand.
 */
function codesInSources(files: { where: string; text: string }[]) {
  // Which argument is the code, per error class: `constructor(message, code = …)` → 1, `(code, …)` → 0.
  const codeArg = new Map<string, number>([['AppError', 0]]);
  for (const { text } of files)
    for (const m of text.matchAll(/class (\w+) extends \w*Error\b[^{]*\{[\s\S]*?constructor\(/g)) {
      const params = callArgs(text, m.index! + m[0].length - 1).map((p) => /^(\w+)/.exec(p)?.[1]);
      if (params.includes('code')) codeArg.set(m[1]!, params.indexOf('code'));
    }
  const found: { where: string; code: string }[] = [];
  for (const { where, text } of files) {
    // Inside an error class, `super(…)` is AppError's constructor (code first) or a base with a code slot.
    for (const m of text.matchAll(/\b(?:new (\w+)|(super))\(/g)) {
      const cls = m[1] ?? [...text.slice(0, m.index).matchAll(/class \w+ extends (\w+)/g)].at(-1)?.[1];
      const at = cls === undefined ? undefined : codeArg.get(cls);
      if (at === undefined) continue;
      const code = literal(callArgs(text, m.index! + m[0].length - 1)[at]);
      if (code !== undefined) found.push({ where, code });
    }
    for (const m of text.matchAll(/\bcode\s*=\s*'([^']+)'/g)) found.push({ where, code: m[1]! });
    for (const m of text.matchAll(/\b(?:error|extensions)\s*:\s*\{[^}]*?\bcode\s*:\s*'([^']+)'/g))
      found.push({ where, code: m[1]! });
  }
  return { found, classes: codeArg };
}

describe('error codes', () => {
  const root = join(import.meta.dirname, '../../../src');
  const { found, classes } = codesInSources(
    sources(root).map((file) => ({ where: relative(root, file), text: readFileSync(file, 'utf8') })),
  );

  it('are all SCREAMING_SNAKE_CASE, on /v1 as on /graphql', () => {
    // The scan must see what it guards: base classes, /v1's upstream errors, hand-built bodies.
    expect(classes.get('UnauthenticatedError')).toBe(1);
    expect(classes.get('PaymentRiskError')).toBe(0);
    const codes = new Set(found.map((f) => f.code));
    for (const known of [
      'INVALID_API_KEY',
      'TOPUP_COOLDOWN',
      'UPSTREAM_UNREACHABLE',
      'MODEL_NOT_FOUND',
      'UPSTREAM_STREAM_BROKEN',
      'INTERNAL',
    ])
      expect(codes).toContain(known);
    expect(found.filter((f) => !SCREAMING.test(f.code))).toEqual([]);
  });
});
