import { packagePath } from '../src/core/package-path.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../src/core/cli-io.ts';
import { loadScenarioFile, parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { RandomStreams } from '../sim/kernel/random.ts';
import { openSessions, type ProviderRequest } from './execution-provider.ts';
import { liveTensorSpec } from './tensor-spec.ts';
import { buildAccumulatorOnnx } from './onnx/accumulator-onnx.ts';
import { verifyAccumulatorSession } from './verify-model.ts';
import { liveSession } from './live-session.ts';
import { loadScenario } from './load.ts';
import type { DifferentialReport } from './differential.ts';
import { MIN_BATCHES_FOR_OVERHEAD, type OverheadReport } from './overhead.ts';

const EXAMPLES_DIR = packagePath('sim/examples');

interface CheckLine {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The model variants the generated accumulator must get right: both data types, every CORRID kind. */
function modelVariants(): { name: string; scenario: Scenario; workLayers: number }[] {
  const variants: { name: string; dataType: string; corrid?: string; boolControls?: boolean; workLayers?: number }[] = [
    { name: 'int32, no CORRID', dataType: 'TYPE_INT32' },
    { name: 'int32, CORRID uint64', dataType: 'TYPE_INT32', corrid: 'TYPE_UINT64' },
    { name: 'int32, CORRID string, bool controls', dataType: 'TYPE_INT32', corrid: 'TYPE_STRING', boolControls: true },
    { name: 'fp32, CORRID int32', dataType: 'TYPE_FP32', corrid: 'TYPE_INT32' },
    { name: 'fp32, CORRID int64, fp32 controls', dataType: 'TYPE_FP32', corrid: 'TYPE_INT64', boolControls: false },
    // The synthetic work branch (MatMul, Tanh) must not disturb OUTPUT or the state on any provider.
    { name: 'int32, CORRID uint64, 8 work layers', dataType: 'TYPE_INT32', corrid: 'TYPE_UINT64', workLayers: 8 },
  ];
  return variants.map((variant) => {
    const flag = (name: string, kind: string): Record<string, unknown> => ({
      name,
      control: [
        variant.boolControls === true
          ? { kind, bool_false_true: [false, true] }
          : variant.boolControls === false
            ? { kind, fp32_false_true: [0, 1] }
            : { kind, int32_false_true: [0, 1] },
      ],
    });
    const controls = [flag('START', 'CONTROL_SEQUENCE_START'), flag('END', 'CONTROL_SEQUENCE_END'), flag('READY', 'CONTROL_SEQUENCE_READY')];
    if (variant.corrid !== undefined) controls.push({ name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: variant.corrid }] });
    const json = {
      name: `validate ${variant.name}`,
      model: {
        name: 'acc_validate',
        max_batch_size: 8,
        input: [{ name: 'INPUT', data_type: variant.dataType, dims: [1] }],
        output: [{ name: 'OUTPUT', data_type: variant.dataType, dims: [1] }],
        sequence_batching: { control_input: controls, direct: {} },
      },
      sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }],
    };
    return { name: variant.name, scenario: parseScenario(json, `<validation model ${variant.name}>`, '.'), workLayers: variant.workLayers ?? 0 };
  });
}

/**
 * `seqsim live --validate` / `npm run validate:gpu`: on the requested provider, (1) the generated
 * model equals the reference accumulator on random batches for every variant, (2) every shipped
 * example scenario (lifecycle ones included) runs live with zero violations and agrees with the simulator, (3) a
 * perf_analyzer-style load on Direct and Oldest has zero violations, also with a model that
 * computes (synthetic work layers). Any failure: exit 1.
 */
export async function runValidation(provider: ProviderRequest, durationMs: number, io: CliIO, json: boolean): Promise<number> {
  const checks: CheckLine[] = [];
  const report = (line: CheckLine): void => {
    checks.push(line);
    if (!json) io.out(`  ${line.ok ? '✓' : '✗'} ${line.name}: ${line.detail}\n`);
  };
  let providerUsed = '';
  for (const variant of modelVariants()) {
    const spec = liveTensorSpec(variant.scenario.model, variant.scenario.normalized['model'] as Record<string, unknown>);
    const opened = await openSessions(buildAccumulatorOnnx(spec, { workLayers: variant.workLayers }), variant.name, 1, provider);
    providerUsed = opened.provider;
    const check = await verifyAccumulatorSession(opened.sessions[0]!, variant.scenario.model, spec, new RandomStreams(7).stream('workload'), 200);
    for (const session of opened.sessions) await session.release();
    report({
      name: `model ${variant.name}`,
      ok: check.mismatches.length === 0,
      detail: check.mismatches.length === 0 ? `${check.rows} rows (${check.paddingRows} padding) equal the reference` : check.mismatches.join('; '),
    });
  }
  const lifecycleExamples = readdirSync(join(EXAMPLES_DIR, 'lifecycle'))
    .filter((name) => name.endsWith('.json'))
    .sort();
  const examples = [
    ...readdirSync(EXAMPLES_DIR)
      .filter((name) => name.endsWith('.json'))
      .sort(),
    ...lifecycleExamples.map((name) => join('lifecycle', name)),
  ];
  for (const name of examples) {
    const file = join(EXAMPLES_DIR, name);
    const scenario = loadScenarioFile(file);
    const { report: live } = await liveSession(scenario, file, { seed: scenario.seed ?? 1, provider, durationMs }, null);
    report({
      name: `scenario ${name}`,
      ok: live.violations.length === 0,
      detail:
        live.violations.length === 0
          ? `${live.stats.okResponses} responses, no violation; ${exampleAgreement(live.differential)}`
          : live.violations.map((v) => `${v.oracle}: ${v.message}`).join('; '),
    });
  }
  for (const [name, modelWorkLayers] of [
    ['direct-basic.json', 0],
    ['oldest-basic.json', 0],
    ['direct-basic.json', 16],
  ] as const) {
    const file = join(EXAMPLES_DIR, name);
    const load = { sequences: 200, sequenceLength: 8, concurrency: 8 };
    const scenario = loadScenario(loadScenarioFile(file), load, file);
    const { report: live } = await liveSession(scenario, file, { seed: 1, provider, durationMs, load, modelWorkLayers }, null);
    report({
      name: `load ${name} (200 sequences × 8, concurrency 8${modelWorkLayers > 0 ? `, ${modelWorkLayers} work layers` : ''})`,
      ok: live.violations.length === 0,
      detail:
        live.violations.length === 0
          ? `${live.stats.inferencesPerSecond.toFixed(0)} infer/s, p99 ${(live.stats.latencyUs.p99 / 1000).toFixed(2)} ms${overheadText(live.overhead)}`
          : live.violations.map((v) => `${v.oracle}: ${v.message}`).join('; '),
    });
  }
  const failed = checks.filter((check) => !check.ok).length;
  if (json) io.out(`${JSON.stringify({ provider: providerUsed, requested: provider, checks, failed })}\n`);
  else io.out(`validation on ${providerUsed} (requested ${provider}): ${checks.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** How an example's live outputs compared with the simulator's, without implying a check that did not happen. */
function exampleAgreement(differential: DifferentialReport | null): string {
  if (differential === null) return 'outputs not compared with the simulator (own model)';
  if (differential.compared === 0) {
    return (
      `no output to compare with the simulator (${differential.excludedSequences} ` +
      `sequence(s) cut short in either run: reload, idle timeout, cancel, reject or error)`
    );
  }
  const cut = differential.excludedSequences > 0 ? ` (${differential.excludedSequences} sequence(s) cut short, not compared)` : '';
  return `${differential.compared} outputs equal the simulator's${cut}`;
}

function overheadText(overhead: OverheadReport | null): string {
  if (overhead === null || overhead.batches < MIN_BATCHES_FOR_OVERHEAD) return '';
  return `, batcher overhead ${overhead.overheadPercent.toFixed(1)} % of session.run`;
}
