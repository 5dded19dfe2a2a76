import type { CodegenConfig } from '@graphql-codegen/cli';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './src/schema/index.ts';

// Prints the Pothos schema to the committed schema.graphql (CI fails when it is stale), and types the
// console's operations (graphql-codegen's client preset: `graphql(`…`)` in console/src returns a typed
// document). Run through tsx, which loads the TypeScript schema modules: `npm run codegen`.
const config: CodegenConfig = {
  schema: printSchema(lexicographicSortSchema(schema)),
  generates: {
    'schema.graphql': { plugins: ['schema-ast'] },
    'console/src/gql/': {
      documents: ['console/src/**/*.{ts,tsx}', '!console/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { BigInt: 'string', DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};
export default config;
