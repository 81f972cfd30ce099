import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { scenarioJsonArbitrary } from '../../sim/generate/scenario-arbitrary.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { isKnownTritonBehaviour } from '../../sim/explore/known-triton.ts';

/**
 * What a user writes with the library API: seqsim's scenario arbitrary (with its swarm fault
 * plans) in a @fast-check/vitest property, here "every Oldest world runs clean".
 */
test.prop([scenarioJsonArbitrary({ strategy: 'oldest' }), fc.integer({ min: 0, max: 1000 })], { numRuns: 150, seed: 42 })(
  'a user property: generated Oldest worlds with faults run clean on the real batcher',
  (json, seed) => {
    const run = simulate(parseScenario(json, 'generated.json', '.'), { seed, maxEvents: 50_000 });
    if (!isKnownTritonBehaviour(run)) expect(run.violations).toEqual([]);
  },
);
