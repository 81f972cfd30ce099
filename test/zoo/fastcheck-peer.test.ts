import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkWorld, worldArb } from '../../bench/fastcheck-peer/harness.ts';
import { runPeer } from '../../bench/fastcheck-peer/run-peer.ts';
import { makeScheduler } from '../../sim/pipeline/batcher-choice.ts';

describe('the fast-check peer harness (bench/fastcheck-peer)', () => {
  it('passes the real batcher', async () => {
    const make = makeScheduler('real');
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), worldArb, (s, world) => checkWorld(world, s, make)),
      { seed: 7, numRuns: 60 },
    );
  }, 60_000);

  it.each([['bug:padding-ready'], ['bug:slot-leak-on-end'], ['bug:backlog-lifo']])(
    'finds %s and shrinks it',
    async (batcher) => {
      const result = await runPeer(batcher, 1, 20_000);
      expect(result.found).toBe(true);
      expect(result.shrunkRequests).toBeLessThanOrEqual(8);
      expect(result.afterFailureMs).toBeGreaterThanOrEqual(0);
    },
    60_000,
  );
});
