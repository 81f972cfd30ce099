import { packagePath } from '../src/core/package-path.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { simulate, type RunResult } from '../sim/simulate.ts';

/** One policy's run of the shipped Direct → Oldest reload under load. */
export interface PolicyFigures {
  readonly policy: 'triton' | 'drain';
  readonly interrupted: number;
  readonly okResponses: number;
  readonly errorResponses: number;
  /** When the last response reached its client (simulated µs). */
  readonly lastResponseUs: number;
  /** Successful responses per simulated millisecond. */
  readonly okPerMs: number;
  readonly heldStarts: number;
  readonly holdUs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface DrainBenchFigures {
  readonly triton: PolicyFigures;
  readonly drain: PolicyFigures;
  /** 1 − drain / triton successful responses per ms: what holding STARTs costs (negative = a gain). */
  readonly throughputLost: number;
}

const scenarioFile = (policy: 'triton' | 'drain') => packagePath('sim/examples/lifecycle', `direct-to-oldest-${policy}.json`);

function figures(policy: 'triton' | 'drain', run: RunResult): PolicyFigures {
  let ok = 0;
  let errors = 0;
  for (const event of run.events) if (event.type === 'response') 'output' in event ? ok++ : errors++;
  const report = run.lifecycle;
  return {
    policy,
    interrupted: report?.interrupted.length ?? 0,
    okResponses: ok,
    errorResponses: errors,
    lastResponseUs: run.lastResponseUs,
    okPerMs: run.lastResponseUs > 0 ? ok / (run.lastResponseUs / 1000) : 0,
    heldStarts: report?.heldStarts ?? 0,
    holdUs: report?.holdUs ?? { p50: 0, p99: 0, max: 0 },
  };
}

/**
 * The drain policy against Triton's on the same reload (simulated time, so the figures are exact
 * and machine-independent): interruptions, hold times, and the throughput the hold costs.
 */
export function benchDrain(): DrainBenchFigures {
  const [triton, drain] = (['triton', 'drain'] as const).map((policy) => {
    const scenario = loadScenarioFile(scenarioFile(policy));
    return figures(policy, simulate(scenario, { seed: scenario.seed ?? 1 }));
  }) as [PolicyFigures, PolicyFigures];
  return { triton, drain, throughputLost: triton.okPerMs > 0 ? 1 - drain.okPerMs / triton.okPerMs : 0 };
}
