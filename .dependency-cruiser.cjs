/**
 * The import direction (docs/architecture.md, "Layout"): functions -> shared; shared never
 * imports the tools around it; the domain, pipeline and management logic take their storage and
 * messaging through interfaces, never from our Cosmos DB, Service Bus or Blob adapters; no cycles.
 * Run: npm run depcheck.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and the two modules one unit in disguise.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'functions-only-to-shared',
      severity: 'error',
      comment:
        'functions/ are thin trigger adapters over shared/; local/, cli/, bench/, test/ and infra/ are not deployed.',
      from: { path: '^functions/' },
      to: { path: '^(local|cli|bench|test|infra)/' },
    },
    {
      name: 'shared-not-to-tools',
      severity: 'error',
      comment:
        'shared/ is what runs in Azure: it never imports the functions, local tooling, benches, tests or infra.',
      from: { path: '^shared/' },
      to: { path: '^(functions|local|cli|bench|test|infra)/' },
    },
    {
      name: 'cli-over-the-http-api',
      severity: 'error',
      comment:
        'The switchyard CLI talks to the app over HTTP only (its client is typed from docs/openapi.json): it may reuse pure helpers of shared/ and the local stack settings, never the functions, the adapters or the pipeline.',
      from: { path: '^cli/' },
      to: { path: ['^(functions|bench|test|infra)/', '^shared/(app|store|bus|payloads|pipeline|delivery)/'] },
    },
    {
      name: 'tools-not-to-cli',
      severity: 'error',
      comment: 'The local tools, benches and infra never import the CLI; only its tests do.',
      from: { path: '^(local|bench|infra)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'core-not-to-adapters',
      severity: 'error',
      comment:
        'Domain, pipeline and management logic take repositories and senders as interfaces (shared/domain/repositories, as deliver takes DeliverDependencies), so they can be unit tested; shared/app wires the adapters in.',
      from: { path: '^shared/(domain|pipeline|management)/' },
      to: { path: ['^shared/(store|bus)/', '^shared/payloads/PayloadStore'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
