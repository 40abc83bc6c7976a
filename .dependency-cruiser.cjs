/**
 * The import graph's rules (dependency-cruiser; `npm test` runs it, and
 * test/architecture.test.ts shows each rule can fail). Folders are layered;
 * a file may import its own folder and the layers below it, never a layer
 * above or a sibling of its own layer. Type-only imports count too.
 *
 *   bench/                      entry points that npm scripts run (thin)
 *   src/cli                     options, commands, the job's orchestration
 *   src/report                  charts, pool map, report.html
 *   src/run, src/analysis,      running the workers; verdicts and warnings;
 *   src/selfbench               the harness's own micro and parse benchmarks
 *   src/export                  the result schema and files (CSV, JSON, markdown)
 *   strategies/, workloads/,    allocator plug-ins; traces, generators, driver
 *   src/conformance, examples/  models and the replay schedule; golden vectors
 *   src/model                   the kernel allocator (kernel/dma/swiotlb.c)
 *   src/base, src/stats         errors and paths; statistics, PRNG, hashing
 */
const LAYERS = [
  ['src/base', 'src/stats'],
  ['src/model'],
  ['strategies', 'workloads', 'src/conformance'],
  ['examples'],
  ['src/export'],
  ['src/run', 'src/analysis', 'src/selfbench'],
  ['src/report'],
  ['src/cli'],
  ['bench'],
];

/** Inside workloads/: the request type, then its limits and timing, driver models, formats and generators, the schedule, and the registry on top. */
const WORKLOAD_LAYERS = [
  ['workloads/types.ts'],
  ['workloads/latency-model.ts', 'workloads/limits.ts', 'workloads/whole-seconds.ts'],
  ['workloads/drivers'],
  ['workloads/formats', 'workloads/generators'],
  ['workloads/schedule'],
  ['workloads/index.ts'],
];

/** Pairs a layer order alone would allow but the design forbids: the report draws from the result schema, never from the runner. */
const APART = [
  ['src/report', ['src/run', 'src/selfbench']],
];

const escape = (s) => s.replace(/[.]/g, '\\.');
const under = (folders) => `^(${folders.map(escape).join('|')})(/|$)`;

function layerRules(layers, scope) {
  return layers.flatMap((layer, rank) =>
    layer.map((folder) => {
      const allowed = [folder, ...layers.slice(0, rank).flat()];
      return {
        name: `${scope}: ${folder} imports only ${allowed.join(', ')}`,
        comment: 'a file imports its own folder and the layers below it (.dependency-cruiser.cjs)',
        severity: 'error',
        from: { path: under([folder]) },
        to: { path: scope === 'project' ? under(LAYERS.flat()) : '^workloads/', pathNot: under(allowed) },
      };
    }),
  );
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle between files',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules(LAYERS, 'project'),
    ...layerRules(WORKLOAD_LAYERS, 'workloads'),
    {
      name: 'examples are plug-ins, nothing imports them',
      severity: 'error',
      from: { pathNot: '^examples/' },
      to: { path: '^examples/' },
    },
    ...APART.map(([folder, others]) => ({
      name: `apart: ${folder} imports nothing from ${others.join(', ')}`,
      severity: 'error',
      from: { path: under([folder]) },
      to: { path: under(others) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
