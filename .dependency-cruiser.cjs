/**
 * The floors of seqsim, bottom to top. A module may import from its own floor or any floor below,
 * never above: the batcher cannot know it is simulated, traces cannot know who runs them, and so on.
 * test/layers.test.ts runs this and fails on any violation.
 */
const FLOORS = ['src', 'traces', 'sim', 'viz', 'live', 'bench', 'cli'];

const upward = FLOORS.slice(0, -1).map((floor, i) => ({
  name: `${floor}-points-up`,
  comment: `${floor}/ sits below ${FLOORS.slice(i + 1).join(', ')}: it may not import from them`,
  severity: 'error',
  from: { path: `^${floor}/` },
  to: { path: `^(${FLOORS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-cycles',
      comment: 'modules that import each other cannot be read, tested or moved one at a time',
      severity: 'error',
      from: { path: `^(${FLOORS.join('|')})/` },
      to: { circular: true },
    },
    {
      name: 'product-does-not-import-tests',
      severity: 'error',
      from: { path: `^(${FLOORS.join('|')})/` },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
