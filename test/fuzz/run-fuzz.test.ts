import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';
import { traceText } from '../../traces/writer.ts';
import { scenarioJsonArbitrary } from '../../sim/generate/scenario-arbitrary.ts';
import { isKnownTritonBehaviour } from '../../sim/explore/known-triton.ts';

describe('random scenarios on the real batcher', () => {
  it('never violate an oracle, always finish, and replay identically', () => {
    fc.assert(
      fc.property(scenarioJsonArbitrary(), fc.integer({ min: 0, max: 1_000_000 }), (json, seed) => {
        const scenario = parseScenario(json, 'fuzz.json', '.');
        const run = simulate(scenario, { seed, maxEvents: 20_000 });
        if (!isKnownTritonBehaviour(run)) {
          expect(run.violations.map((v) => `${v.oracle}: ${v.message}`)).toEqual([]);
          expect(run.outcome).toBe('quiescent');
        }
        const replay = replayTrace(parseTrace(traceText(run), 'fuzz.jsonl'), 'fuzz.jsonl');
        expect(replay.identical).toBe(true);
      }),
      { numRuns: 2000, seed: 20261124 },
    );
  });
});

describe('malformed traces', () => {
  const base = (() => {
    const json = {
      name: 'small',
      model: { name: 'm', max_batch_size: 1, sequence_batching: { direct: {} } },
      executor: { latency_us: 100 },
      transport: { latency_us: 0 },
      sequences: [
        {
          id: 1,
          steps: [
            { value: 1, start: true },
            { value: 2, end: true },
          ],
        },
      ],
    };
    return traceText(simulate(parseScenario(json, 's.json', '.'), { seed: 1 }));
  })();

  it('end in a result or a clean InputError, never another exception', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1 }) }),
      fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('header-field' as const),
        key: fc.constantFrom('seed', 'scenario', 'options', 'version', 'format'),
        value: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(mutation, (m) => {
        let text = base;
        const lines = base.trimEnd().split('\n');
        if (m.kind === 'truncate') text = base.slice(0, m.at % base.length);
        else if (m.kind === 'flip') {
          const at = m.at % base.length;
          text = base.slice(0, at) + m.char + base.slice(at + 1);
        } else if (m.kind === 'drop-line') {
          lines.splice(m.at % lines.length, 1);
          text = lines.join('\n');
        } else {
          const header = JSON.parse(lines[0]!);
          header[m.key] = m.value;
          lines[0] = JSON.stringify(header);
          text = lines.join('\n');
        }
        try {
          replayTrace(parseTrace(text, 'mutated.jsonl'), 'mutated.jsonl');
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          expect(error.message).toMatch(/^mutated\.jsonl/);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
