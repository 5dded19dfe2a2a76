import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

/**
 * The Lago OpenAPI 3.1 document (lago-openapi @120da121, spec 1.51.0; test/fixtures/lago), loaded once and compiled
 * with ajv's JSON Schema 2020-12 dialect. The double validates every request body against the
 * operation's requestBody schema and asserts that every response body it produces matches the
 * operation's response schema for that status.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
// In the repository (test/fixtures/lago, source noted there) so a clean clone runs alone.
const SPEC_PATH = path.resolve(here, '../../fixtures/lago/lago-openapi.yaml');
const SPEC_ID = 'lago-openapi.yaml';

type Json = any;

export interface SpecOperation {
  method: string;
  template: string;
  operationId: string;
  match(pathname: string): Record<string, string> | null;
  validateRequest: ValidateFunction | undefined;
  responseFor(status: number): { schema: Json; validate: ValidateFunction } | undefined;
}

export interface LagoSpec {
  doc: Json;
  find(method: string, pathname: string): { op: SpecOperation; params: Record<string, string> } | null;
  /** Compiles the response validators of these operations now rather than on first use. */
  warm(operationIds: readonly string[]): void;
  /** Fills required fields the double does not model with spec-conformant defaults. */
  conform(schema: Json, value: Json): Json;
  describeErrors(errors: ErrorObject[] | null | undefined): string;
}

let cached: LagoSpec | undefined;

export function loadLagoSpec(): LagoSpec {
  if (cached) return cached;
  const doc = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
  // `nullable` is an OpenAPI 3.0 keyword with no meaning in 3.1, but ajv interprets it.
  stripNullable(doc);
  const ajv = new Ajv2020.default({
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
  });
  addFormats.default(ajv);
  for (const f of ['int32', 'int64', 'float', 'double', 'binary', 'byte', 'password']) ajv.addFormat(f, true);
  ajv.addSchema(doc, SPEC_ID);

  const deref = (node: Json): Json => {
    let n = node;
    while (n && typeof n === 'object' && typeof n.$ref === 'string') n = pointer(doc, n.$ref);
    return n;
  };
  const compileRef = (ref: string) => ajv.compile({ $ref: `${SPEC_ID}${ref}` });

  const ops: SpecOperation[] = [];
  for (const [template, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
      const op = item[method];
      if (!op) continue;
      const base = `#/paths/${escapePointer(template)}/${method}`;
      let validateRequest: ValidateFunction | undefined;
      const body = op.requestBody && deref(op.requestBody);
      if (body?.content?.['application/json']?.schema) {
        const ref = op.requestBody.$ref
          ? `${op.requestBody.$ref}/content/application~1json/schema`
          : `${base}/requestBody/content/application~1json/schema`;
        validateRequest = compileRef(ref);
      }
      const responses = new Map<number, { schema: Json; validate: ValidateFunction }>();
      const responseFor = (status: number) => {
        if (responses.has(status)) return responses.get(status);
        const raw = op.responses?.[String(status)];
        if (!raw) return undefined;
        const resolved = deref(raw);
        const schema = resolved?.content?.['application/json']?.schema;
        if (!schema) return undefined;
        const ref = raw.$ref
          ? `${raw.$ref}/content/application~1json/schema`
          : `${base}/responses/${status}/content/application~1json/schema`;
        const entry = { schema: deref(schema), validate: compileRef(ref) };
        responses.set(status, entry);
        return entry;
      };
      const parts = template.split('/');
      ops.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId,
        validateRequest,
        responseFor,
        match(pathname) {
          const segs = pathname.split('/');
          if (segs.length !== parts.length) return null;
          const params: Record<string, string> = {};
          for (let i = 0; i < parts.length; i++) {
            const p = parts[i]!;
            if (p.startsWith('{') && p.endsWith('}')) {
              if (!segs[i]) return null;
              params[p.slice(1, -1)] = decodeURIComponent(segs[i]!);
            } else if (p !== segs[i]) return null;
          }
          return params;
        },
      });
    }
  }
  // Literal segments win over parameters (`/events/batch` before `/events/{transaction_id}`).
  ops.sort((a, b) => literalScore(b.template) - literalScore(a.template));

  const conform = (schemaIn: Json, value: Json): Json => {
    const schema = deref(schemaIn);
    if (!schema || typeof schema !== 'object') return value;
    if (schema.allOf) {
      let v = value;
      for (const part of schema.allOf) v = conform(part, v);
      return v;
    }
    if (value === undefined) return defaultFor(schema);
    if (Array.isArray(value)) {
      const items = schema.items;
      return items ? value.map((v) => conform(items, v)) : value;
    }
    if (value && typeof value === 'object') {
      const out: Json = { ...value };
      const props = schema.properties ?? {};
      for (const key of schema.required ?? []) {
        if (!(key in out)) out[key] = defaultFor(deref(props[key] ?? {}));
      }
      for (const [key, sub] of Object.entries<Json>(props)) {
        if (out[key] !== undefined && out[key] !== null) out[key] = conform(sub, out[key]);
      }
      return out;
    }
    return value;
  };

  const defaultFor = (schemaIn: Json): Json => {
    const schema = deref(schemaIn);
    if (!schema || typeof schema !== 'object') return null;
    if (schema.allOf) return conform(schema, {});
    if (schema.oneOf || schema.anyOf) return defaultFor((schema.oneOf ?? schema.anyOf)[0]);
    const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return schema.enum.includes(null) ? null : schema.enum[0];
    if (types.includes('null')) return null;
    switch (types[0]) {
      case 'string':
        if (schema.format === 'date-time') return '1970-01-01T00:00:00Z';
        if (schema.format === 'date') return '1970-01-01';
        if (schema.format === 'uuid') return '00000000-0000-0000-0000-000000000000';
        if (schema.format === 'email') return 'nobody@example.com';
        if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com';
        if (schema.pattern) return '0';
        return '';
      case 'integer':
      case 'number':
        return schema.minimum ?? 0;
      case 'boolean':
        return false;
      case 'array':
        return [];
      default:
        return conform(schema, {});
    }
  };

  cached = {
    doc,
    warm(operationIds) {
      for (const op of ops)
        if (operationIds.includes(op.operationId))
          for (const status of [200, 400, 401, 403, 404, 405, 422]) op.responseFor(status);
    },
    find(method, pathname) {
      for (const op of ops) {
        if (op.method !== method) continue;
        const params = op.match(pathname);
        if (params) return { op, params };
      }
      return null;
    },
    conform,
    describeErrors(errors) {
      return (errors ?? [])
        .slice(0, 8)
        .map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
        .join('; ');
    },
  };
  return cached;
}

function stripNullable(node: Json): void {
  if (Array.isArray(node)) for (const n of node) stripNullable(n);
  else if (node && typeof node === 'object') {
    if (typeof node.nullable === 'boolean') delete node.nullable;
    for (const v of Object.values(node)) stripNullable(v);
  }
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function pointer(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    node = node?.[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node;
}

function literalScore(template: string): number {
  return template.split('/').filter((s) => s && !s.startsWith('{')).length * 10 - template.split('/').length;
}
