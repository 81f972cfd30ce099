// Turning explore's violating seeds into files: traces, shrunk reproducers and the command that re-runs each.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioForSeed, type ExploreOptions, type Finding } from '../../sim/explore/explore.ts';
import { simulate } from '../../sim/simulate.ts';
import { shrinkScenario } from '../../sim/explore/shrink.ts';
import { compareSeedVariant, compareUnder, type MetamorphicSeed } from '../../sim/explore/metamorphic.ts';
import { shrinkCrossConfig } from '../../sim/explore/shrink-cross-config.ts';
import { writeSvg, writeTrace } from '../run-summary.ts';
import type { WrittenFinding } from '../../sim/explore/summary.ts';

export type { WrittenFinding } from '../../sim/explore/summary.ts';
import { seqsimCommandLine } from '../../src/core/command-line.ts';

/** Re-runs a violating seed in this thread to get its full run for the trace and the shrinker. */
export function findingAt(
  seed: number,
  oracle: string,
  options: Pick<ExploreOptions, 'scenario' | 'batcher' | 'faultMode' | 'lifecycle'>,
  maxEvents: number | undefined,
): Finding {
  const { scenario: world, json } = scenarioForSeed(options, seed);
  const limits = maxEvents ? { maxEvents } : {};
  if (oracle === 'cross-config') {
    const meta = compareSeedVariantOf(json, seed, options.batcher, maxEvents);
    return { seed, oracle, message: meta.failure ?? '', scenarioJson: meta.json, run: meta.runs[0]!, variant: meta.spec };
  }
  const run = simulate(world, { seed, batcher: options.batcher, ...limits });
  const violation = run.violations.find((v) => v.oracle === oracle);
  return { seed, oracle, message: violation?.message ?? '', scenarioJson: json, run };
}

/** The seed's comparison as explore ran it (saveCrossConfig re-runs it with traces). */
function compareSeedVariantOf(json: Record<string, unknown>, seed: number, batcher: string, maxEvents: number | undefined): MetamorphicSeed {
  const drawn = compareSeedVariant(json, seed, batcher, maxEvents ? { maxEvents } : {});
  if (drawn === undefined) throw new Error(`seed ${seed} has no valid metamorphic variant, yet it was reported as cross-config`);
  return drawn;
}

export async function saveFinding(
  finding: Finding,
  outDir: string,
  batcher: string,
  shrink: boolean,
  maxEvents: number | undefined,
  svg: boolean,
): Promise<WrittenFinding> {
  if (finding.variant !== undefined) return saveCrossConfig(finding, finding.variant, outDir, batcher, shrink, maxEvents);
  const base = join(outDir, `${finding.oracle}-seed${finding.seed}`);
  mkdirSync(outDir, { recursive: true });
  writeTrace(`${base}.jsonl`, finding.run);
  if (svg) await writeSvg(`${base}.svg`, finding.run);
  const batcherFlag = batcher === 'real' ? [] : ['--batcher', batcher];
  if (!shrink) {
    writeFileSync(`${base}.json`, `${JSON.stringify(finding.scenarioJson, null, 2)}\n`);
    return {
      seed: finding.seed,
      oracle: finding.oracle,
      message: finding.message,
      trace: `${base}.jsonl`,
      reproducer: `${base}.json`,
      shrunk: null,
      replay: seqsimCommandLine('replay', `${base}.jsonl`),
    };
  }
  const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, ...(maxEvents ? { maxEvents } : {}) });
  writeFileSync(`${base}.min.json`, `${JSON.stringify(shrunk.scenarioJson, null, 2)}\n`);
  writeTrace(`${base}.min.jsonl`, shrunk.run);
  if (svg) await writeSvg(`${base}.min.svg`, shrunk.run);
  return {
    seed: finding.seed,
    oracle: finding.oracle,
    message: shrunk.run.violations.find((v) => v.oracle === finding.oracle)?.message ?? finding.message,
    trace: `${base}.jsonl`,
    reproducer: `${base}.min.json`,
    shrunk: {
      sequences: shrunk.after.sequences,
      requests: shrunk.after.requests,
      faults: shrunk.after.faults,
      choices: shrunk.after.choices,
      before_sequences: shrunk.before.sequences,
      before_requests: shrunk.before.requests,
      before_faults: shrunk.before.faults,
      before_choices: shrunk.before.choices,
    },
    // A liveness finding depends on the event budget it ran under: the command repeats it.
    replay: seqsimCommandLine(
      'run',
      `${base}.min.json`,
      '--seed',
      finding.seed,
      ...batcherFlag,
      ...(maxEvents !== undefined && finding.oracle === 'liveness' ? ['--max-events', maxEvents] : []),
    ),
  };
}

/**
 * A cross-config finding: the compared scenario, a trace per failing configuration, and (unless
 * --no-shrink) a shrunk scenario that `seqsim compare` reproduces with the same variant and seed.
 */
function saveCrossConfig(finding: Finding, spec: string, outDir: string, batcher: string, shrink: boolean, maxEvents: number | undefined): WrittenFinding {
  const base = join(outDir, `cross-config-seed${finding.seed}`);
  mkdirSync(outDir, { recursive: true });
  const meta = compareUnder(finding.scenarioJson, spec, finding.seed, batcher, { serialize: true, ...(maxEvents ? { maxEvents } : {}) })!;
  const traces = writeComparisonTraces(base, meta);
  const batcherFlag = batcher === 'real' ? [] : ['--batcher', batcher];
  const reproduce = (file: string): string => seqsimCommandLine('compare', file, '--seed', finding.seed, '--variant', spec, ...batcherFlag);
  writeFileSync(`${base}.json`, `${JSON.stringify(finding.scenarioJson, null, 2)}\n`);
  const common = { seed: finding.seed, oracle: finding.oracle, trace: traces[0] ?? `${base}-baseline.jsonl`, variant: spec };
  if (!shrink) return { ...common, message: finding.message, reproducer: `${base}.json`, shrunk: null, replay: reproduce(`${base}.json`), traces };
  const shrunk = shrinkCrossConfig(finding.scenarioJson, spec, finding.seed, batcher, maxEvents ? { maxEvents } : {});
  writeFileSync(`${base}.min.json`, `${JSON.stringify(shrunk.scenarioJson, null, 2)}\n`);
  const minTraces = writeComparisonTraces(`${base}.min`, shrunk.comparison);
  return {
    ...common,
    message: shrunk.comparison.failure ?? finding.message,
    reproducer: `${base}.min.json`,
    shrunk: {
      sequences: shrunk.after.sequences,
      requests: shrunk.after.requests,
      faults: shrunk.after.faults,
      choices: 0,
      before_sequences: shrunk.before.sequences,
      before_requests: shrunk.before.requests,
      before_faults: shrunk.before.faults,
      before_choices: 0,
    },
    replay: reproduce(`${base}.min.json`),
    traces: [...traces, ...minTraces],
  };
}

/** One trace per configuration of a comparison (each replays with `seqsim replay`). */
function writeComparisonTraces(base: string, meta: MetamorphicSeed): string[] {
  return meta.configs.map((_config, i) => {
    const path = `${base}-${i === 0 ? 'baseline' : 'variant'}.jsonl`;
    writeTrace(path, meta.runs[i]!);
    return path;
  });
}
