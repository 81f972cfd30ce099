import { defineConfig } from 'vitest/config';

/** The suites that exercise the batcher through the simulator: what `npm run mutate` runs per mutant. */
export default defineConfig({
  test: {
    include: [
      'test/batcher/**/*.test.ts',
      'test/conformance/**/*.test.ts',
      'test/model/**/*.test.ts',
      'test/oracles/**/*.test.ts',
      'test/faults/**/*.test.ts',
      'test/lifecycle/**/*.test.ts',
    ],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
