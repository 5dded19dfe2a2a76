// The layers of src/ and the rule that no import cycle exists (`npm run check:deps`, run by .ci/run).
// docs/architecture.md draws the same rules; change both together.
//
// Layers, importing only downwards:
//   entry      src/cli.ts, src/server.ts, src/app*          (composition root: the only code that knows every service)
//   edge       src/graphql, src/schema, src/resolvers, src/builder.ts, src/context.ts, src/proxy, src/http
//   domains    admission, identity, inbox, integrations, ledger, notifications, outbox, payments, plans, pricing,
//              providers, risk, pubsub.ts
//   infra      src/infra (shared state, breakers, HTTP client)
//   base       src/lib, src/db, src/config.ts, src/generated
const DOMAINS =
  '^src/(admission|identity|inbox|integrations|ledger|notifications|outbox|payments|plans|pricing|providers|risk)/|^src/pubsub\\.ts$';
const EDGE_AND_ENTRY =
  '^src/(app|schema|resolvers|graphql|proxy)(/|\\.ts$)|^src/(builder|context|server|cli|services)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle (type-only imports count too): break it with a narrow port or by moving the shared piece down a layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'Folders depend one way too (risk uses notifications, never the reverse). The files directly in src/ (config, pubsub, app) are not a folder of their own here.',
      scope: 'folder',
      // The GraphQL edge (graphql/yoga.ts builds schema/, schema/ uses graphql/ helpers and resolvers/)
      // is one layer split over three folders: module cycles there still fail no-circular.
      from: { path: '^src/', pathNot: ['^src/(schema|resolvers|graphql)(/|$)'] },
      to: { circular: true, pathNot: ['^src$', '^src/(schema|resolvers|graphql)(/|$)'] },
    },
    {
      name: 'base-imports-no-domain',
      severity: 'error',
      comment: 'src/lib and src/db are the base layer: they know no domain, edge or entry module.',
      from: { path: '^src/(lib|db)/' },
      to: { path: [DOMAINS, EDGE_AND_ENTRY, '^src/infra/'] },
    },
    {
      name: 'infra-imports-no-domain',
      severity: 'error',
      comment: 'src/infra (shared state, breakers, HTTP client) serves every domain and knows none of them.',
      from: { path: '^src/infra/' },
      to: { path: [DOMAINS, EDGE_AND_ENTRY] },
    },
    {
      name: 'domains-import-no-edge',
      severity: 'error',
      comment:
        'Domain code is called by the edges (GraphQL, proxy, routes) and the composition root, never the other way.',
      from: { path: DOMAINS },
      to: { path: EDGE_AND_ENTRY },
    },
    {
      name: 'src-imports-no-tests',
      severity: 'error',
      comment: 'Shipped code never imports test doubles, helpers or benchmarks.',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve (a typo, or a file that moved).',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser; swc parses the sources instead.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports are edges too: a type cycle still ties two modules together.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    includeOnly: '^(src|test|bench)/',
  },
};
