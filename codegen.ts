import type { CodegenConfig } from '@graphql-codegen/cli';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './src/schema/index.ts';

// Prints the Pothos schema to the committed schema.graphql (CI fails when it is stale). Run through
// tsx, which loads the TypeScript schema modules: `npm run codegen`. Clients type their operations
// from that file; the console (issue 20) adds its client-preset output here, next to its documents.
const config: CodegenConfig = {
  schema: printSchema(lexicographicSortSchema(schema)),
  generates: {
    'schema.graphql': { plugins: ['schema-ast'] },
  },
};
export default config;
