import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelConfig, loadScenarioFile } from '../../src/scenario/load.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import { simulate } from '../../sim/simulate.ts';
import { repositoryModel } from '../../live/repository/repository-model.ts';
import { writeRepositoryModel } from '../../live/repository/write-repository.ts';
import { runLive } from '../../live/run-live.ts';

/**
 * test/fixtures/config-corpus/positive: real-world-shaped sequence configs (written for this
 * project from the facts of Triton's QA model generators and docs; docs/config-corpus.md), each
 * with a scenario. Each must load, simulate with no oracle violation, export as `seqsim repo`
 * exports it, and answer every request on ONNX Runtime with the simulator's outputs.
 */
const corpus = fileURLToPath(new URL('../fixtures/config-corpus/positive/', import.meta.url));
const cases = readdirSync(corpus).sort();
const repositories = mkdtempSync(join(tmpdir(), 'seqsim-corpus-'));
afterAll(() => rmSync(repositories, { recursive: true, force: true }));

/** A few outputs worked out by hand from Triton's QA semantics (docs/config-corpus.md), so the corpus is not vacuous. */
const KNOWN: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  // Sequence 52 sends 1, 2, 4, 8.
  qa_int32: { '52:0': 1, '52:3': 15 },
  // initial_state from a file holding 100 shifts every sum by 100.
  implicit_state_data_file: { '52:0': 101, '52:3': 115 },
  // The END response adds the correlation id (dyna models).
  dyna_corrid_uint64: { '52:2': 7, '52:3': 15 + 52 },
  dyna_corrid_string: { '52:3': 15 + 52 },
  oldest_preferred: { '1:3': 15 + 1 },
  // TYPE_STRING: decimal integers summed in INT32 (the trace records the integer the text spells).
  qa_string: { '52:3': 15 + 52 },
  // TYPE_INT64: exact past 2^32, the INT64 CORRID added on END.
  qa_int64: { '52:1': 2 ** 40 + 3, '52:3': 2 ** 40 + 3 + 5 * 2 ** 33 + 7 + 52 },
  // TYPE_BOOL: the parity of the true inputs (1, 0, 1, 1).
  qa_bool: { '52:0': 1, '52:1': 1, '52:2': 0, '52:3': 1 },
  implicit_state_int64_data_file: { '52:0': 101 },
};

function outputsOf(events: readonly TraceEvent[]): Map<string, unknown> {
  return new Map(events.flatMap((e) => (e.type === 'response' && 'output' in e ? [[e.request, e.output] as const] : [])));
}

describe('the positive config corpus', () => {
  it('holds the QA shapes: every data type, controls, implicit state, Oldest, nobatch, every CORRID type', () => {
    expect(cases.length).toBeGreaterThanOrEqual(21);
  });

  it.each(cases)('%s loads, simulates clean, exports and runs on ONNX Runtime with the same outputs', async (name) => {
    const dir = join(corpus, name);
    const config = loadModelConfig(dir);
    const file = join(dir, 'scenario.json');
    const scenario = loadScenarioFile(file);
    expect(scenario.model).toEqual(config.config);

    const simulated = simulate(scenario, { seed: 1 });
    expect(simulated.violations).toEqual([]);
    const expected = outputsOf(simulated.events);
    const requests = scenario.sequences.reduce((n, s) => n + s.steps.length, 0);
    expect(expected.size).toBe(requests);
    for (const [request, output] of Object.entries(KNOWN[name] ?? {})) expect(expected.get(request), request).toBe(output);

    const exported = repositoryModel(scenario.model, scenario.normalized['model'] as Record<string, unknown>, { cpuOnly: true });
    // The exported folder (config.pbtxt, initial_state files) loads back as the same accumulator.
    writeRepositoryModel(join(repositories, name), exported);
    const reloaded = loadModelConfig(join(repositories, name, exported.name)).config;
    expect([reloaded.tensorDataType, reloaded.initialStateValue, reloaded.controls]).toEqual([
      scenario.model.tensorDataType,
      scenario.model.initialStateValue,
      scenario.model.controls,
    ]);
    const live = await runLive(scenario, file, { seed: 1, provider: 'cpu', durationMs: 20_000, userModel: { bytes: exported.model, name: 'model.onnx' } });
    expect(live.violations).toEqual([]);
    expect(outputsOf(live.events)).toEqual(expected);
    for (const session of live.sessions) await session.release();
  });
});
