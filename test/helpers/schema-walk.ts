import { createRequire } from 'node:module';
import type { GraphQLArgument, GraphQLField, GraphQLInputType, GraphQLOutputType } from 'graphql';

/**
 * Builds a document and variables for any root field of the schema, so a test can call every
 * field that exists at test time (fields added later are covered without editing the test).
 * Used by the tenant-isolation walk and the scopes walk.
 */
// Pothos builds the schema with graphql's CommonJS build; use the same copy (instanceof checks).
export const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} = graphql;

const FUTURE = new Date(Date.now() + 7 * 86_400_000).toISOString();

export function isIdSlot(name: string, type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return named.name === 'ID' || (named.name === 'String' && /(^id$|Id$|Ids$|^ids$)/.test(name));
}

/** A placeholder value of `type`; id-like slots get `candidate`. */
export function valueFor(name: string, type: GraphQLInputType, candidate: string, depth = 0): unknown {
  if (isNonNullType(type)) return valueFor(name, type.ofType, candidate, depth);
  if (isListType(type)) return [valueFor(name, type.ofType, candidate, depth)];
  if (isIdSlot(name, type)) return candidate;
  // Variables take the enum name (the internal value differs for some enums, e.g. UsageGrouping).
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      const required = isNonNullType(f.type) && f.defaultValue === undefined;
      if (required || (depth < 3 && isIdSlot(f.name, f.type)))
        out[f.name] = valueFor(f.name, f.type, candidate, depth + 1);
    }
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'BigInt':
        return '1';
      case 'DateTime':
        return FUTURE;
      case 'JSON':
        return {};
      default:
        if (/email/i.test(name)) return 'intruder@attacker.test';
        if (/currency/i.test(name)) return 'USD';
        if (/scope/i.test(name)) return 'read';
        if (/slug/i.test(name)) return 'intruder';
        if (/url/i.test(name)) return 'https://attacker.test/hook';
        return 'intruder';
    }
  }
  return null;
}

/** The variables for the required (and id-like) arguments of a field. */
export function variablesFor(
  args: readonly GraphQLArgument[],
  candidate: (arg: GraphQLArgument) => string,
): Record<string, unknown> {
  return Object.fromEntries(
    args
      .filter((a) => (isNonNullType(a.type) && a.defaultValue === undefined) || isIdSlot(a.name, a.type))
      .map((a) => [a.name, valueFor(a.name, a.type, candidate(a))]),
  );
}

function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named) || depth > 3) return '{ __typename }';
  if (!isObjectType(named) && !isInterfaceType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) parts.push(f.name);
    else if (depth < 3) parts.push(`${f.name} ${selection(f.type, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

export function documentFor(
  kind: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
  args: readonly GraphQLArgument[],
) {
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${kind}${defs ? `(${defs})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selection(field.type, 0)} }`;
}
