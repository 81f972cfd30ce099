/**
 * Test vectors for the Python backend's model.py, computed by seqsim's reference accumulator
 * (src/model/reference.ts): exports every config of the export corpus with `--backend python` (each
 * state key it allows) into OUT/<case>/<model>/, and writes OUT/vectors.json: per case, batches of
 * rows (what Triton's tensors carry: READY, START, END, CORRID, INPUT) and what model.py must answer
 * for each row. test/python/test_python_model.py runs them through model.py.
 *
 *   node --import tsx test/python/python-model-vectors.ts OUT
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configCorpus } from '../live/repository/config-corpus.ts';
import { PYTHON_STATE_KEYS, pythonRepositoryModel, type PythonRepositoryModel, type PythonStateKey } from '../../live/repository/python-repository-model.ts';
import { writeRepositoryModel } from '../../live/repository/write-repository.ts';
import { normalizeModelConfig } from '../../src/config/normalize.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { corridValue, paddingCorrid } from '../../src/batcher/controls.ts';
import type { CorridValue } from '../../src/core/events.ts';
import { u64Id, strId, type CorrelationId } from '../../src/core/ids.ts';
import { InputError } from '../../src/core/input-errors.ts';
import { accumulate, accumulatorModelOf, toDataType } from '../../src/model/reference.ts';
import { RandomStreams, type RandomStream } from '../../sim/kernel/random.ts';

const BATCHES = 40;
/**
 * Ids where conversions go wrong (2^31, 2^32, 2^53, 2^63, 2^64 − 1 and neighbours), and one that a
 * float32 conversion through a double rounds twice (2^60 + 2^36 + 1: the double drops the 1 and
 * leaves a float32 tie).
 */
const EDGE_IDS = [
  1n,
  52n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n + 5n,
  2n ** 53n + 1n,
  2n ** 60n + 2n ** 36n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];
const TEXT_IDS = ['52', ' -17', '+9x', 'tenant-a/7', '', '99999999999999999999', '  12abc'];

/** A row as Triton hands it to the model, and what the model must answer. */
interface VectorRow {
  readonly ready: boolean;
  readonly start: boolean;
  readonly end: boolean;
  readonly input: number;
  /** The CORRID tensor's value: {int: decimal} or {str: text}; absent without a CORRID control. */
  readonly corrid?: { readonly int: string } | { readonly str: string };
  readonly expect: { readonly padding: true } | { readonly error: true } | { readonly output: number };
}

interface VectorCase {
  readonly label: string;
  readonly folder: string;
  readonly stateKey: PythonStateKey;
  readonly batches: readonly (readonly VectorRow[])[];
}

function corridJson(value: CorridValue): { int: string } | { str: string } {
  if (typeof value === 'string') return { str: value };
  if (typeof value === 'number') return { int: String(value) };
  return { int: 'u64' in value ? value.u64 : value.i64 };
}

/** One stateful workload: sequences start, continue and end on rows; some rows have no state (a batcher bug). */
function batchesFor(model: ModelConfig, exported: ModelConfig, stateKey: PythonStateKey, random: RandomStream): VectorRow[][] {
  const accumulator = accumulatorModelOf(model);
  const control = exported.controls.corrid;
  const fp32 = model.tensorDataType === 'TYPE_FP32';
  const value = (): number => toDataType(model.tensorDataType, fp32 ? random.int(-1_000_000, 1_000_000) / 8 : random.int(-(2 ** 31), 2 ** 31 - 1));
  const idOf = (): CorrelationId =>
    control?.dataType === 'TYPE_STRING'
      ? strId(random.pick(TEXT_IDS.filter((id) => id !== '')))
      : u64Id(random.chance(0.5) ? EDGE_IDS[random.int(0, EDGE_IDS.length - 1)]! : BigInt(random.int(1, 40)));
  const states = new Map<string, number>();
  const rowsPerBatch = Math.max(1, model.maxBatchSize);
  const batches: VectorRow[][] = [];
  for (let batch = 0; batch < BATCHES; batch++) {
    const size = random.int(1, rowsPerBatch);
    const rows: VectorRow[] = [];
    const usedKeys = new Set<string>();
    for (let row = 0; row < size; row++) {
      // Padding rows only exist under Direct (Oldest batches carry real requests only).
      if (model.strategy.kind === 'direct' && random.chance(0.2)) {
        const padding = control === undefined ? {} : { corrid: corridJson(paddingCorrid(control)) };
        rows.push({ ready: false, start: random.chance(0.5), end: random.chance(0.5), input: value(), ...padding, expect: { padding: true } });
        continue;
      }
      const corrid = control === undefined ? undefined : corridValue(control, idOf());
      const key = stateKey === 'slot' ? `row${row}` : JSON.stringify(corrid);
      // One request per sequence in a batch, as Triton's batchers form them.
      if (usedKeys.has(key)) continue;
      usedKeys.add(key);
      const start = !states.has(key) ? random.chance(0.9) : random.chance(0.15);
      const end = random.chance(0.3);
      const input = value();
      const step = accumulate(accumulator, { ready: true, start, end, input, corrid: corrid ?? 0 }, start ? accumulator.initialValue : states.get(key));
      const withCorrid = corrid === undefined ? {} : { corrid: corridJson(corrid) };
      if (step.kind !== 'output') {
        rows.push({ ready: true, start, end, input, ...withCorrid, expect: { error: true } });
        continue;
      }
      // model.py forgets an id on the END row, which it can only see with an END control.
      if (end && stateKey === 'corrid' && exported.controls.end !== undefined) states.delete(key);
      else states.set(key, step.state);
      rows.push({ ready: true, start, end, input, ...withCorrid, expect: { output: step.output } });
    }
    batches.push(rows);
  }
  return batches;
}

function main(out: string): void {
  mkdirSync(out, { recursive: true });
  const cases: VectorCase[] = [];
  const refused: { label: string; reason: string }[] = [];
  for (const [index, entry] of configCorpus().entries()) {
    for (const [keyIndex, stateKey] of PYTHON_STATE_KEYS.entries()) {
      const label = `${entry.label} [${stateKey}]`;
      let exported: PythonRepositoryModel;
      try {
        exported = pythonRepositoryModel(entry.model, entry.normalized, { stateKey });
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        refused.push({ label, reason: error.message });
        continue;
      }
      const repository = join(out, `case${index}-${stateKey}`);
      writeRepositoryModel(repository, exported);
      const reread = normalizeModelConfig(exported.config, { file: 'exported', field: '' }).config;
      const batches = batchesFor(entry.model, reread, stateKey, new RandomStreams(2 * index + keyIndex).stream('workload'));
      cases.push({ label, folder: join(repository, exported.name), stateKey, batches });
    }
  }
  writeFileSync(join(out, 'vectors.json'), `${JSON.stringify({ cases, refused })}\n`);
}

main(process.argv[2] ?? 'out/python-model-vectors');
