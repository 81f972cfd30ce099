/**
 * seqsim's library API: `import { simulate, loadScenarioFile } from 'seqsim'`.
 *
 * Everything a user needs to simulate a scenario from a seed, check the oracles, explore, shrink
 * and model-check, read and replay traces, and draw them. Live mode (ONNX Runtime, the KServe v2
 * front end) is a separate entry point, `seqsim/live`, so this one never loads a native runtime.
 * The CLI is a thin layer over these functions; docs/library.md shows them in use.
 */

// Scenarios and model configs.
export { loadScenarioFile, parseScenario, type ScenarioLoadOptions } from './src/scenario/load.ts';
export type { Scenario, ScenarioSequence, ScenarioStep } from './src/scenario/types.ts';
export type { ModelConfig } from './src/config/types.ts';
export { parsePbtxt } from './src/config/pbtxt.ts';
export { writePbtxt } from './src/config/pbtxt-writer.ts';
export { InputError, UsageError, SetupError } from './src/core/input-errors.ts';
export { InvariantError } from './src/core/assert.ts';
export type { TraceEvent } from './src/core/events.ts';

// Simulation and the oracles.
export {
  simulate,
  simulateToFile,
  simulateVerdict,
  DEFAULT_MAX_EVENTS,
  defaultMaxEvents,
  type SimulateOptions,
  type RunResult,
  type StreamedRunResult,
  type RunEnd,
} from './sim/simulate.ts';
export {
  analyzeTrace,
  TraceChecker,
  type TraceVerdict,
  checkTrace,
  checkBatchShape,
  checkControlSignals,
  checkOutputs,
  checkReaperTiming,
  checkResponses,
  checkRouting,
  type OracleContext,
  type OracleName,
  type Violation,
} from './sim/oracles/index.ts';
export { ZOO, LIFECYCLE_ZOO, zooBug, type ZooBug } from './sim/zoo/variants.ts';
export { HARD_ZOO, type HardZooBug } from './sim/zoo/hard-variants.ts';
// The oracles a client can run on what it saw (`seqsim drive`'s, usable on any trace with send and response lines).
export { ClientOracle, checkClientTrace, type ClientOracleOptions, type ClientVerdict } from './sim/oracles/client/client-oracle.ts';

// The run pipeline: how every checked run ends (a runner of your own ends its runs the same way),
// the codec of the options a trace header records, and request naming.
export { finishRun, runUntilStopped, stopOf, type RecordedRun, type FinishedRun, type RunStop, type OracleVerdict } from './sim/pipeline/run-pipeline.ts';
export {
  encodeSimOptions,
  decodeSimOptions,
  encodeLiveOptions,
  decodeLiveOptions,
  type SimRunSettings,
  type RecordedSimRun,
  type LiveRunSettings,
} from './sim/pipeline/header-options.ts';
export { RequestNamer, requestPrefixes } from './sim/pipeline/request-ids.ts';
export { makeScheduler, UnknownBatcherError } from './sim/pipeline/batcher-choice.ts';

// Exploration, shrinking, model checking, cross-configuration comparison.
export { explore, type ExploreOptions, type ExploreResult, type SeedVerdict } from './sim/explore/explore.ts';
export { runCampaign, shardRange, type CampaignOptions, type CampaignResult } from './sim/explore/campaign.ts';
export { campaignSummary, mergeSummaries, parseSummary, type CampaignSummary, type WrittenFinding } from './sim/explore/summary.ts';
export { shrinkScenario, type ShrinkOptions, type ShrinkResult } from './sim/explore/shrink.ts';
export { checkExhaustive, type CheckOptions, type CheckResult } from './sim/check/dfs.ts';
export { checkPct, type PctResult } from './sim/check/pct.ts';
export { checkRandom, type RandomScheduleResult } from './sim/check/random-schedules.ts';
export { compareSeeds, type CompareSummary } from './sim/compare/compare.ts';
export { BASELINE, loadVariant, parseVariant, type Variant, type VariantConfig } from './sim/compare/variants.ts';

// fast-check arbitraries for users' own property tests.
export { scenarioJsonArbitrary, generateScenarioJson, type GeneratorOptions, type FaultMode } from './sim/generate/scenario-arbitrary.ts';
export { lifecycleArbitrary } from './sim/generate/lifecycle-arbitrary.ts';
// Triton's sequence stress workload (L0_sequence_stress), seeded.
export {
  stressThread,
  stressThreadSeeds,
  stressScenarioJson,
  STRESS_MODEL_JSON,
  type StressSequence,
  type StressKind,
} from './sim/generate/sequence-stress.ts';

// Traces: read, write, replay.
export {
  readTraceFile,
  parseTrace,
  readTraceHeader,
  verifyTrace,
  forEachTraceEvent,
  TRACE_LIMITS,
  type ParsedTrace,
  type VerifiedTrace,
  type TraceLimits,
} from './traces/read.ts';
export { replayTraceFile } from './sim/replay-file.ts';
export { traceText, type TraceHeader, type SerializedTrace } from './traces/writer.ts';
export { TRACE_FORMAT, TRACE_VERSION, SEQSIM_VERSION } from './traces/version.ts';
export { replayTrace, type ReplayVerdict } from './sim/replay.ts';

// Pictures.
export { renderTimelineSvg, renderTimeline, type TimelineSvgOptions, type RenderedTimeline } from './viz/svg.ts';
export { timelineOfTrace } from './viz/run-svg.ts';
export { buildTimeline, type Timeline } from './viz/timeline.ts';
export { renderReport, type ReportOptions } from './viz/report.ts';
export { exportChromeTrace, writeChromeTrace, type ChromeExport, type ChromeExportOptions, type ChromePartWriter } from './viz/chrome.ts';
