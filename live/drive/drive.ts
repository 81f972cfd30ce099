import type { TraceEvent } from '../../src/core/events.ts';
import type { ScenarioId } from '../../src/core/ids.ts';
import { SetupError } from '../../src/core/input-errors.ts';
import { percentile } from '../../src/core/percentile.ts';
import { formatUs } from '../../src/core/time.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { ClientOracle } from '../../sim/oracles/client/client-oracle.ts';
import type { Violation } from '../../sim/oracles/types.ts';
import { STRESS_ID_BLOCK, stressThread, stressThreadSeeds } from '../../sim/generate/sequence-stress.ts';
import { TraceStreamWriter } from '../../traces/stream-writer.ts';
import { makeHeader } from '../../traces/writer.ts';
import { ClientTimelineCollector, renderClientTimeline } from '../../viz/client-timeline.ts';
import { wallClockMs } from '../wall-clock.ts';
import { ClientRecorder, type EventObserver } from './client-recorder.ts';
import { probeIds, probeSlots } from './leak-probe.ts';
import { CLIENT_ORACLES, NOT_OBSERVABLE } from './observability.ts';
import { planScenario, type PlannedSequence } from './plan.ts';
import { DrivePlayer } from './player.ts';
import { configDifferences } from './server-config.ts';
import { statisticsDelta } from './server-statistics.ts';
import { testHookNote } from './test-hooks.ts';
import type { DriveTransport, ModelStatistics } from './transport.ts';

/** The probe starts one sequence per slot, for at most this many slots. */
export const MAX_PROBE_SLOTS = 1024;
/** The probe waits at most this long for the idle timeout of sequences a client left open. */
export const PROBE_MAX_WAIT_US = 30_000_000;
/** Statistics are read this often, at most this many times, until they stop changing. */
const STATS_SETTLE_MS = 100;
const STATS_SETTLE_READS = 20;
/** Latencies kept for the percentiles at most (a bounded sample of a long run). */
const MAX_LATENCY_SAMPLES = 1_000_000;

export interface DriveSpec {
  /** The scenario: its model config always; its sequences unless `stress` is set. */
  readonly scenario: Scenario;
  /** The model's name on the server (default: the config's). */
  readonly modelName: string;
  readonly seed: number;
  /** Client-side times (starts, gaps, cancels, client timeouts) are multiplied by this. */
  readonly timeScale: number;
  readonly concurrency: number | undefined;
  readonly deadlineUs: number;
  /** How far real timing may be off when reasoning about the idle timeout. */
  readonly slackUs: number;
  /** Play Triton's stress workload instead of the scenario's sequences. */
  readonly stress?: { readonly threads: number; readonly iterations: number };
  readonly tracePath: string;
  readonly svgPath?: string;
  /** Run the slot-leak probe at the end (default true). */
  readonly probe?: boolean;
  /** Why the probe is off, for the report (default: --no-probe). */
  readonly probeOffReason?: string;
  /** Receives the SVG text when svgPath is set. */
  readonly writeSvg?: (path: string, svg: string) => void;
}

/** Everything `seqsim drive` reports, as printed with --json. */
export interface DriveReport {
  readonly scenario: string;
  readonly model: string;
  readonly server: string;
  readonly frontEnd: string;
  readonly seed: number;
  readonly workload: string;
  readonly requests: number;
  readonly outputs: number;
  readonly errors: number;
  /** Requests answered by the client itself: aborted, timed out, no answer within the deadline… */
  readonly clientOutcomes: Readonly<Record<string, number>>;
  readonly unjudged: number;
  readonly wallMs: number;
  readonly requestsPerSecond: number;
  readonly latencyUs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly probe: { readonly slots: number; readonly admitted: number } | { readonly skipped: string };
  /** What the run added to the server's statistics, or null when it has no statistics endpoint. */
  readonly statistics: { readonly executionCount: number; readonly inferenceCount: number; readonly batchExecutions: Readonly<Record<string, number>> } | null;
  readonly violations: readonly Violation[];
  readonly checked: readonly { readonly oracle: string; readonly checks: string }[];
  readonly notObservable: readonly { readonly oracle: string; readonly why: string }[];
  readonly notes: readonly string[];
  readonly trace: string;
  readonly hash: string;
}

/**
 * `seqsim drive`: the scenario's sequences (or Triton's stress workload) against a real server in
 * real time, the client-side faults of its plan, a client-side trace streamed to disk, and every
 * oracle a client can run on what it saw.
 */
export async function drive(transport: DriveTransport, spec: DriveSpec): Promise<DriveReport> {
  try {
    return await driveOn(transport, spec);
  } finally {
    await transport.close().catch(() => {});
  }
}

async function driveOn(transport: DriveTransport, spec: DriveSpec): Promise<DriveReport> {
  const { scenario, modelName } = spec;
  const model = { ...scenario.model, name: modelName };
  await transport.checkModel(modelName);
  const notes: string[] = [];
  const serverConfig = await transport.modelConfig(modelName);
  if (serverConfig === undefined) notes.push("the server has no model-configuration endpoint: its config was not compared with the scenario's");
  else {
    const differences = configDifferences(serverConfig, scenario.normalized['model'] as Record<string, unknown>);
    if (differences.length > 0) {
      throw new SetupError(
        `the server's config of model '${modelName}' differs from the scenario's: ` +
          `${differences.slice(0, 4).join('; ')}${differences.length > 4 ? '; …' : ''}`,
      );
    }
  }
  const statsBefore = await transport.modelStatistics(modelName);

  const plan = spec.stress === undefined ? planScenario(scenario, spec.seed, spec.timeScale) : undefined;
  notes.push(...(plan?.notes ?? []));
  const hookNote = testHookNote(scenario);
  if (hookNote !== undefined) notes.push(hookNote);
  if (!transport.orderedChannels && spec.stress !== undefined) {
    notes.push(
      "Triton's stress workload: each thread's sequences are sent one request at a time over HTTP (the Python test sends them back to back on a gRPC stream)",
    );
  } else if (!transport.orderedChannels && plan?.sequences.some((sequence) => sequence.mode === 'stream') === true) {
    notes.push(
      'stream-mode sequences are sent one request at a time over HTTP (separate HTTP exchanges may overtake each other; a gRPC stream keeps them in order)',
    );
  }
  const header = makeHeader(spec.seed, headerScenario(scenario, spec), headerOptions(transport, spec), 'real', 'client');
  const writer = new TraceStreamWriter(spec.tracePath, header);
  const oracle = new ClientOracle({ model, modelName, deadlineUs: spec.deadlineUs, slackUs: spec.slackUs, ordered: transport.orderedChannels });
  const timeline = spec.svgPath !== undefined ? new ClientTimelineCollector() : undefined;
  const latencies = new LatencySample();
  const recorder = new ClientRecorder(writer, [oracle, latencies, ...(timeline ? [timeline] : [])]);
  const player = new DrivePlayer(transport, recorder, { deadlineUs: spec.deadlineUs, faults: plan?.faults, concurrency: spec.concurrency });
  const startedMs = wallClockMs();
  const usedIds: ScenarioId[] = [];
  if (plan !== undefined) {
    for (const event of plan.faults?.bursts ?? []) recorder.record(event);
    usedIds.push(...plan.sequences.map((sequence) => sequence.id));
    await player.playTimed(plan.sequences);
  } else {
    const { threads, iterations } = spec.stress!;
    usedIds.push(threads * STRESS_ID_BLOCK);
    await player.playLanes(stressLanes(spec.seed, threads, iterations));
  }
  const workloadMs = wallClockMs() - startedMs;

  const violations: Violation[] = [];
  let probe: DriveReport['probe'];
  const slots = scenario.model.instanceCount * scenario.model.slotsPerInstance;
  if (spec.probe === false) probe = { skipped: spec.probeOffReason ?? 'turned off (--no-probe)' };
  else if (slots > MAX_PROBE_SLOTS) {
    probe = { skipped: `the config has ${slots} slots, more than the probe starts at once (${MAX_PROBE_SLOTS})` };
    notes.push(`slot-leak probe skipped: ${probe.skipped}`);
  } else {
    const latest = oracle.latestPossiblyActiveSendUs();
    const readyUs = latest === undefined ? 0 : latest + scenario.model.maxSequenceIdleUs + spec.slackUs;
    if (readyUs - recorder.nowUs() > PROBE_MAX_WAIT_US) {
      probe = {
        skipped: `sequences may still hold slots until their idle timeout (${formatUs(scenario.model.maxSequenceIdleUs)}), longer than the probe waits`,
      };
      notes.push(`slot-leak probe skipped: ${probe.skipped}`);
    } else {
      await recorder.sleepUntil(readyUs);
      const result = await probeSlots(player, recorder, probeIds(scenario.model, usedIds, slots), spec.deadlineUs);
      probe = { slots: result.slots, admitted: result.admitted };
      if (result.admitted < result.slots) {
        violations.push({
          oracle: 'slot-accounting',
          message:
            `slot-leak probe: only ${result.admitted} of ${result.slots} new sequences got a slot within ${formatUs(spec.deadlineUs)} after ` +
            `the idle timeout: ${result.slots - result.admitted} slot(s) leaked or never freed`,
          events: [result.line],
        });
      }
    }
  }
  const statsAfter = statsBefore === undefined ? undefined : await settledStatistics(transport, modelName);
  if (statsBefore === undefined) notes.push('the server has no statistics endpoint: no batch sizes to report');

  const verdict = oracle.finish();
  violations.unshift(...verdict.violations);
  const endUs = recorder.nowUs();
  for (const violation of violations)
    writer.write({ t: endUs, type: 'violation', oracle: violation.oracle, message: violation.message, events: [...violation.events] });
  const hash = writer.finish();
  if (timeline !== undefined && spec.svgPath !== undefined) {
    const svg = renderClientTimeline(timeline, {
      title: `${scenario.name} against ${modelName} (${transport.frontEnd}), seed ${spec.seed}`,
      offendingLines: new Set(violations.flatMap((v) => v.events)),
      violations: violations.map((v) => `${v.oracle}: ${v.message}`),
    });
    spec.writeSvg?.(spec.svgPath, svg);
  }
  const sorted = latencies.sorted();
  return {
    scenario: scenario.name,
    model: modelName,
    server: transport.endpoint,
    frontEnd: transport.frontEnd,
    seed: spec.seed,
    workload: spec.stress === undefined ? 'scenario' : `stress (${spec.stress.threads} threads × ${spec.stress.iterations} iterations)`,
    requests: verdict.requests,
    outputs: verdict.outputs,
    errors: verdict.errors,
    clientOutcomes: verdict.clientOutcomes,
    unjudged: verdict.unjudged,
    wallMs: workloadMs,
    requestsPerSecond: workloadMs > 0 ? (latencies.count / workloadMs) * 1000 : 0,
    latencyUs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
    probe,
    statistics: statsBefore !== undefined && statsAfter !== undefined ? statisticsRecord(statisticsDelta(statsBefore, statsAfter)) : null,
    violations,
    checked: CLIENT_ORACLES,
    notObservable: NOT_OBSERVABLE,
    notes,
    trace: spec.tracePath,
    hash,
  };
}

/**
 * Triton records statistics after it has sent the responses: read until two reads a moment apart
 * agree (at most STATS_SETTLE_READS reads).
 */
async function settledStatistics(transport: DriveTransport, model: string): Promise<ModelStatistics | undefined> {
  let last = await transport.modelStatistics(model).catch(() => undefined);
  for (let read = 1; read < STATS_SETTLE_READS && last !== undefined; read++) {
    await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
    const next = await transport.modelStatistics(model).catch(() => undefined);
    if (next === undefined || next.executionCount === last.executionCount) return next ?? last;
    last = next;
  }
  return last;
}

/** The stress workload's threads as lanes of planned sequences, generated as they are played. */
export function stressLanes(seed: number, threads: number, iterations: number): Iterable<PlannedSequence>[] {
  let index = 0;
  return stressThreadSeeds(seed, threads).map((threadSeed, thread) => ({
    *[Symbol.iterator]() {
      const uses = new Map<number, number>();
      for (const sequence of stressThread(threadSeed, thread, iterations)) {
        const use = uses.get(sequence.id) ?? 0;
        uses.set(sequence.id, use + 1);
        yield {
          index: index++,
          id: sequence.id,
          prefix: use === 0 ? String(sequence.id) : `${sequence.id}#${use}`,
          mode: 'stream' as const,
          startUs: 0,
          steps: sequence.steps.map((step) => ({ ...step, gapUs: 0, timeoutUs: 0, cancelAfterUs: undefined })),
        };
      }
    },
  }));
}

function headerScenario(scenario: Scenario, spec: DriveSpec): Record<string, unknown> {
  if (spec.stress === undefined) return { ...scenario.normalized };
  // The stress workload is regenerated from the seed and options.stress: the header keeps the model.
  return { ...scenario.normalized, name: `sequence-stress-seed${spec.seed}`, sequences: [] };
}

function headerOptions(transport: DriveTransport, spec: DriveSpec): Record<string, unknown> {
  return {
    front_end: transport.frontEnd,
    model_name: spec.modelName,
    time_scale: spec.timeScale,
    deadline_us: spec.deadlineUs,
    slack_us: spec.slackUs,
    ...(spec.concurrency !== undefined ? { concurrency: spec.concurrency } : {}),
    ...(spec.stress !== undefined ? { stress: { threads: spec.stress.threads, iterations: spec.stress.iterations } } : {}),
  };
}

function statisticsRecord(delta: ModelStatistics): NonNullable<DriveReport['statistics']> {
  return {
    executionCount: delta.executionCount,
    inferenceCount: delta.inferenceCount,
    batchExecutions: Object.fromEntries([...delta.batchExecutions].map(([size, count]) => [String(size), count])),
  };
}

/** Send → answer latencies of the requests that got a response (a bounded sample). */
class LatencySample implements EventObserver {
  private readonly sentUs = new Map<string, number>();
  private readonly samples: number[] = [];
  count = 0;

  observe(event: TraceEvent): void {
    if (event.type === 'send') this.sentUs.set(event.request, event.t);
    else if (event.type === 'response' || event.type === 'error') {
      const sent = this.sentUs.get(event.request);
      this.sentUs.delete(event.request);
      if (sent === undefined || event.type === 'error') return;
      this.count++;
      if (this.samples.length < MAX_LATENCY_SAMPLES) this.samples.push(event.t - sent);
    }
  }

  sorted(): number[] {
    return [...this.samples].sort((a, b) => a - b);
  }
}
