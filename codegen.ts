import type { CodegenConfig } from '@graphql-codegen/cli';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './src/schema/index.ts';

// Prints the Pothos schema to the committed schema.graphql (CI fails when it is stale) and types
// the GraphQL documents under test/ (test/generated/graphql.ts). Run through tsx, which loads the
// TypeScript schema modules: `npm run codegen`.
const config: CodegenConfig = {
  schema: printSchema(lexicographicSortSchema(schema)),
  documents: ['test/**/*.graphql'],
  ignoreNoDocuments: true,
  generates: {
    'schema.graphql': { plugins: ['schema-ast'] },
    'test/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: { scalars: { BigInt: 'string', DateTime: 'string', JSON: 'unknown' }, useTypeImports: true },
    },
  },
};
export default config;
