/**
 * Rewrites the generated scopes table in docs/security.md (between the `scopes-table` markers)
 * from the schema's keyScope declarations. test/security/scopes-walk.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { scopesTable } from '../src/graphql/key-scopes.ts';
import { schema } from '../src/schema/index.ts';

const START = '<!-- scopes-table:start (npm run docs:scopes) -->';
const END = '<!-- scopes-table:end -->';
const path = new URL('../docs/security.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const from = doc.indexOf(START);
const to = doc.indexOf(END);
if (from < 0 || to < from) throw new Error(`docs/security.md has no ${START} … ${END} block`);
writeFileSync(path, `${doc.slice(0, from + START.length)}\n${scopesTable(schema)}\n${doc.slice(to)}`);
