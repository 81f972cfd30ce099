import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { benchKernel, benchSameInstantBurst, compressionAtRate, type CheckedEventCost, type KernelBenchFigures } from '../../bench/kernel-bench.ts';
import type { CliIO, SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { benchViz } from '../../bench/viz-bench.ts';
import { benchSwarm, benchZoo, type ZooBenchRow } from '../../bench/zoo-bench.ts';
import { benchCheck, DRAWS_DEPTH, DRAWS_WORLD, type CheckBenchFigures } from '../../bench/check-bench.ts';
import { benchCompare } from '../../bench/compare-bench.ts';
import { benchDrain } from '../../bench/lifecycle-bench.ts';
import { benchRouting } from '../../bench/routing-bench.ts';
import { FULL_BENCH, QUICK_BENCH, ZOO_PEER_BENCH, type BenchProfile } from '../../bench/profile.ts';
import { inProcessPeerSection, peerSection, startupSection, workersSection } from './bench-explore-sections.ts';
import { round, type BenchSection, type Figures } from './bench-section.ts';
import { wallClockMs } from '../../live/wall-clock.ts';
import { parsePositiveInt } from '../options.ts';
import { benchDrive } from '../../bench/drive-bench.ts';

/** `bench --drive` (npm run bench:drive): 400 sequences × 10 steps, 16 in flight. */
async function runDriveBench(io: CliIO, json: boolean): Promise<number> {
  if (!json) io.err('bench: seqsim drive against seqsim serve on loopback (400 sequences × 10 steps, 16 in flight)…\n');
  const d = await benchDrive(400, 10, 16);
  const figures = {
    drive_requests: d.requests,
    drive_bare_answers_per_s: round(d.bareAnswersPerS),
    drive_bare_client_cpu_us_per_request: round(d.bareCpuUsPerRequest, 1),
    drive_answers_per_s: round(d.driveAnswersPerS),
    drive_client_cpu_us_per_request: round(d.driveCpuUsPerRequest, 1),
    drive_overhead_cpu_us_per_request: round(d.overheadCpuUsPerRequest, 1),
    drive_trace_bytes_per_request: round(d.traceBytesPerRequest),
    drive_grpc_answers_per_s: round(d.grpcAnswersPerS),
    drive_grpc_client_cpu_us_per_request: round(d.grpcCpuUsPerRequest, 1),
  };
  if (json) io.out(`${JSON.stringify(figures)}\n`);
  else {
    io.out(
      `drive against seqsim serve (loopback, ${d.requests} requests, ${d.concurrency} sequences in flight):\n` +
        `  offered load: drive ${d.driveAnswersPerS.toFixed(0)} answers/s; a bare keep-alive HTTP loop ${d.bareAnswersPerS.toFixed(0)} answers/s\n` +
        `  client CPU per request: drive ${d.driveCpuUsPerRequest.toFixed(1)} µs, bare loop ${d.bareCpuUsPerRequest.toFixed(1)} µs: ` +
        `drive's own overhead ${d.overheadCpuUsPerRequest.toFixed(1)} µs per request (trace, oracles, timers); trace ` +
        `${d.traceBytesPerRequest.toFixed(0)} bytes per request\n` +
        `  over gRPC (unary calls on one connection): drive ${d.grpcAnswersPerS.toFixed(0)} answers/s, ` +
        `${d.grpcCpuUsPerRequest.toFixed(1)} µs client CPU per request\n`,
    );
  }
  return EXIT_OK;
}

export type { BenchSection };

/** Figures, not assertions: speed belongs in a benchmark that prints numbers. */
export const benchCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .option('full', {
        type: 'boolean',
        default: false,
        describe:
          'the full set (100k-request workloads, fake-timers, 30 zoo campaigns per bug, swarm, deeper check budgets, 40,000 seeds for 1- vs 2-worker ' +
          'explore, seqsim vs the fast-check peer as whole commands with 10 campaigns per bug capped at 60 s each): up to an hour',
      })
      .option('zoo', {
        type: 'boolean',
        default: false,
        describe: 'only seqsim explore vs the fast-check peer on every zoo bug, shallow and hard (3 campaigns each, each side capped at 3 s)',
      })
      .option('peer-campaigns', {
        type: 'number',
        describe: 'campaigns per bug of seqsim vs the fast-check peer as whole commands (default 0: the quick set races in-process; --zoo 3; --full 10)',
      })
      .option('peer-budget', { type: 'number', describe: 'seconds each side gets per campaign in that comparison (default 3; --full 60)' })
      .option('requests', { type: 'number', describe: 'requests per kernel and routing workload (default 20000; --full 100000)' })
      .option('zoo-campaigns', {
        type: 'number',
        describe: 'campaigns per zoo bug, 0 skips the zoo figures (default 0: the race with the peer covers every bug; --full 30)',
      })
      .option('worker-seeds', { type: 'number', describe: 'seeds for the 1- vs 2-worker explore figure, 0 skips it (default 600; --full 40000)' })
      .option('drive', {
        type: 'boolean',
        default: false,
        describe: "only seqsim drive's figures: offered load and client overhead per request against seqsim serve on loopback",
      })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object of named figures' }),
  async run(args, io) {
    if (args['drive']) return await runDriveBench(io, args['json'] === true);
    const profile = profileOf(args);
    if (args['zoo'] === true) {
      await runBench([peerSection(profile)], io, args['json'] === true);
      return EXIT_OK;
    }
    await runBench(benchSections(profile), io, args['json'] === true);
    if (profile.name === 'quick') io.err('bench: that was the quick set; --full runs the full one (minutes)\n');
    return EXIT_OK;
  },
};

/** Runs the sections in order: progress on stderr, figures (text, or one JSON object) on stdout. */
export async function runBench(sections: readonly BenchSection[], io: CliIO, json: boolean): Promise<Figures> {
  const figures: Figures = {};
  const startedAll = wallClockMs();
  const cpuAll = process.cpuUsage();
  for (const [index, section] of sections.entries()) {
    const step = `bench [${index + 1}/${sections.length}]`;
    io.err(`${step} ${section.title}…\n`);
    const started = wallClockMs();
    const cpuBefore = process.cpuUsage();
    const text = await section.run(figures, (line) => io.err(`${step}   ${line}\n`));
    io.err(`${step} done in ${seconds(wallClockMs() - started)} (${seconds(cpuMs(process.cpuUsage(cpuBefore)))} CPU in this process)\n`);
    if (!json) io.out(text);
  }
  io.err(`bench: ${sections.length} sections in ${seconds(wallClockMs() - startedAll)} (${seconds(cpuMs(process.cpuUsage(cpuAll)))} CPU in this process)\n`);
  if (json) io.out(`${JSON.stringify(figures)}\n`);
  return figures;
}

export function profileOf(args: Record<string, unknown>): BenchProfile {
  const base = args['full'] === true ? FULL_BENCH : args['zoo'] === true ? { ...QUICK_BENCH, ...ZOO_PEER_BENCH } : QUICK_BENCH;
  const count = (flag: string, fallback: number): number => {
    const value = args[flag];
    if (value === undefined) return fallback;
    if (value === 0) return 0;
    return parsePositiveInt(value, `--${flag}`);
  };
  return {
    ...base,
    requests: args['requests'] === undefined ? base.requests : parsePositiveInt(args['requests'], '--requests'),
    zooCampaigns: count('zoo-campaigns', base.zooCampaigns),
    workerSeeds: count('worker-seeds', base.workerSeeds),
    peerCampaigns: count('peer-campaigns', base.peerCampaigns),
    peerBudgetMs: args['peer-budget'] === undefined ? base.peerBudgetMs : parsePositiveInt(args['peer-budget'], '--peer-budget') * 1000,
  };
}

export function benchSections(profile: BenchProfile): BenchSection[] {
  const sections: BenchSection[] = [100, 10_000].map((concurrent) => ({
    title: `simulator: Direct 2×8 slots, ${profile.requests} requests, ${concurrent} concurrent sequences`,
    run: (figures) => {
      const split = profile.kernelSplitCostSequences.includes(concurrent);
      const kernel = benchKernel(concurrent, profile.requests, profile.kernelFakeTimers, profile.kernelRepeats, split);
      addKernelFigures(figures, `direct_${concurrent}`, kernel);
      return formatKernel(kernel);
    },
  }));
  // Issue 19 §5's figures first: the checked run above, start-up, explore's seeds/s, the zoo race.
  if (profile.startupRuns > 0) sections.push(startupSection(profile.startupRuns));
  if (profile.workerSeeds > 0) sections.push(workersSection(profile.workerSeeds));
  if (profile.peerCampaigns > 0) sections.push(peerSection(profile));
  else if (profile.inProcessPeerCampaigns > 0) sections.push(inProcessPeerSection(profile));
  const burst = profile.burstSequences;
  sections.push({ title: `same-instant choice: ${burst / 4} and ${burst} sequences starting at t = 0`, run: (f) => burstSection(f, burst) });
  sections.push({ title: 'SVG timeline of 1k and 10k requests', run: vizSection });
  if (profile.zooCampaigns > 0) sections.push({ title: `bug zoo: ${profile.zooCampaigns} campaign(s) per bug`, run: (f) => zooSection(f, profile) });
  if (profile.swarmSeeds > 0)
    sections.push({ title: `swarm vs uniform fault selection, up to ${profile.swarmSeeds} seeds`, run: (f) => swarmSection(f, profile) });
  sections.push({
    title: `check: canonical worlds at depth ${profile.check.depth}, zoo bugs within ${profile.check.budget} runs`,
    run: (f) => checkSection(f, profile),
  });
  sections.push({ title: `compare: ${profile.compareSeeds} seeds × 3 configurations`, run: (f) => compareSection(f, profile) });
  sections.push({ title: `routing oracle alone, ${profile.requests} requests`, run: (f) => routingSection(f, profile) });
  sections.push({ title: 'reload Direct → Oldest under load, Triton vs drain policy', run: drainSection });
  return sections;
}

async function vizSection(figures: Figures): Promise<string> {
  const viz = await benchViz();
  Object.assign(figures, viz);
  return (
    `SVG timeline: 1k requests ${viz['viz_svg_1k_render_ms']} ms, ${Math.round((viz['viz_svg_1k_bytes'] ?? 0) / 1024)} KiB; ` +
    `10k requests ${viz['viz_svg_10k_render_ms']} ms, ${Math.round((viz['viz_svg_10k_bytes'] ?? 0) / 1024)} KiB\n`
  );
}

function zooSection(figures: Figures, profile: BenchProfile): string {
  const rows = benchZoo(profile.zooCampaigns, profile.zooShrinks);
  for (const row of rows) {
    const key = `zoo_${row.bug.replace(/-/g, '_')}`;
    figures[`${key}_found_in_campaigns`] = row.found;
    figures[`${key}_seeds_to_failure_median`] = row.seedsToFailureMedian;
    figures[`${key}_wall_ms_median`] = round(row.wallMsMedian, 1);
    figures[`${key}_wall_ms_p90`] = round(row.wallMsP90, 1);
    figures[`${key}_shrunk_requests_median`] = row.shrunkRequestsMedian;
    figures[`${key}_shrink_ms_median`] = round(row.shrinkMsMedian, 1);
    figures[`${key}_hand_minimal_requests`] = row.handMinimalRequests;
  }
  return formatZoo(rows, profile.zooShrinks);
}

function swarmSection(figures: Figures, profile: BenchProfile): string {
  const swarm = benchSwarm(profile.swarmSeeds);
  for (const row of swarm) {
    const key = `zoo_${row.bug.replace(/-/g, '_')}`;
    figures[`${key}_swarm_seeds_to_failure`] = row.swarm ?? -1;
    figures[`${key}_uniform_seeds_to_failure`] = row.uniform ?? -1;
  }
  const lines = swarm.map((r) => `  ${r.bug.padEnd(28)} swarm ${r.swarm ?? '-'}, uniform ${r.uniform ?? '-'}`);
  return `swarm vs uniform fault selection (seeds to the first failure from seed 1; - = not found in ${profile.swarmSeeds}):\n${lines.join('\n')}\n`;
}

function checkSection(figures: Figures, profile: BenchProfile): string {
  const check = benchCheck(profile.check);
  addCheckFigures(figures, check, profile);
  return formatCheck(check, profile);
}

function addCheckFigures(figures: Figures, check: CheckBenchFigures, profile: BenchProfile): void {
  for (const c of check.canonical) {
    const key = `check_${c.scenario.replace(/-/g, '_')}${c.reduction ? '' : '_no_reduction'}`;
    figures[`${key}_schedules_depth_${c.depth}`] = c.schedules;
    figures[`${key}_states_explored_depth_${c.depth}`] = c.statesExplored;
    figures[`${key}_distinct_states_depth_${c.depth}`] = c.distinctStates;
    figures[`${key}_schedules_per_s`] = c.schedulesPerS;
    figures[`${key}_states_per_s`] = c.statesPerS;
  }
  for (const d of check.deepestExhausted) {
    const key = `check_${d.scenario.replace(/-/g, '_')}${d.reduction ? '' : '_no_reduction'}`;
    figures[`${key}_deepest_depth_exhausted_${profile.check.depthBudgetSchedules}_schedules`] = d.depth;
  }
  for (const z of check.zoo) {
    const key = `check_zoo_${z.bug.replace(/-/g, '_')}`;
    figures[`${key}_dfs_runs`] = z.dfs ?? -1;
    figures[`${key}_pct_runs`] = z.pct ?? -1;
    figures[`${key}_random_runs`] = z.random ?? -1;
  }
  for (const d of check.chosenDraws) {
    const key = `check_draws_${d.bug.replaceAll('-', '_')}`;
    figures[`${key}_seeded_schedules`] = d.seeded ?? -1;
    figures[`${key}_chosen_schedules`] = d.chosen ?? -1;
  }
}

function formatCheck(check: CheckBenchFigures, profile: BenchProfile): string {
  const canonical = check.canonical.map(
    (c) =>
      `  ${c.scenario.padEnd(12)} ${c.reduction ? 'reduced' : 'full   '} ${c.schedules} schedules, ${c.statesExplored} states explored ` +
      `(${c.distinctStates} distinct), ${c.schedulesPerS} schedules/s, ${c.statesPerS} states/s`,
  );
  const deepest = check.deepestExhausted.map((d) => `${d.scenario} ${d.reduction ? 'reduced' : 'full'} ${d.depth} (${d.schedules} schedules)`);
  const zoo = check.zoo.map((z) => `  ${z.bug.padEnd(28)} ${z.dfs ?? '-'} / ${z.pct ?? '-'} / ${z.random ?? '-'}`);
  const draws = check.chosenDraws.map((d) => `  ${d.bug.padEnd(28)} ${d.seeded ?? '-'} / ${d.chosen ?? (d.chosenExhausted ? 'clean' : '-')}`);
  return [
    `check, real batcher, depth ${profile.check.depth}:`,
    ...canonical,
    `check, deepest depth exhausted within ${profile.check.depthBudgetSchedules} schedules: ${deepest.join(', ')}`,
    `check on the canonical world of each bug's strategy, runs to the first counterexample (- = none in ${profile.check.budget}): dfs / pct / random seeds`,
    ...zoo,
    `check on ${DRAWS_WORLD} (cancellations only from the fault plan), DFS depth ${DRAWS_DEPTH}, schedules to the first counterexample: ` +
      `seeded draws / chosen draws (- = none in ${profile.check.budget}; "clean" = chosen draws exhausted the bound)`,
    ...draws,
    '',
  ].join('\n');
}

function compareSection(figures: Figures, profile: BenchProfile): string {
  const compare = benchCompare(profile.compareSeeds, undefined, undefined, profile.compareRepeats);
  figures['compare_wall_ms'] = round(compare.compareWallMs, 1);
  figures['compare_single_runs_wall_ms'] = round(compare.singleRunsWallMs, 1);
  figures['compare_overhead_x'] = round(compare.overheadX, 2);
  return (
    `compare ${compare.scenario}, ${compare.seeds} seeds × ${compare.configs.length} configurations (${compare.configs.join(' | ')}): ` +
    `${round(compare.compareWallMs)} ms vs ${round(compare.singleRunsWallMs)} ms for its single runs (${round(compare.overheadX, 2)}×)\n`
  );
}

function routingSection(figures: Figures, profile: BenchProfile): string {
  const routing = benchRouting(profile.requests, profile.routingRepeats);
  for (const row of routing) {
    const key = `routing_oracle_${row.workload.replace(/ /g, '_')}`;
    figures[`${key}_events`] = row.events;
    figures[`${key}_wall_ms`] = round(row.checkWallMs, 1);
  }
  const lines = routing.map(
    (r) => `  ${r.workload.padEnd(15)} ${r.sequences} sequences, ${r.requests} requests, ${r.events} events: ${round(r.checkWallMs, 1)} ms`,
  );
  return `routing oracle alone (checkRouting, best of ${profile.routingRepeats}):\n${lines.join('\n')}\n`;
}

function drainSection(figures: Figures): string {
  const drain = benchDrain();
  for (const side of [drain.triton, drain.drain]) {
    figures[`reload_${side.policy}_interrupted`] = side.interrupted;
    figures[`reload_${side.policy}_ok_per_ms`] = round(side.okPerMs, 2);
    figures[`reload_${side.policy}_last_response_us`] = side.lastResponseUs;
  }
  figures['reload_drain_hold_us_p50'] = drain.drain.holdUs.p50;
  figures['reload_drain_hold_us_p99'] = drain.drain.holdUs.p99;
  figures['reload_drain_throughput_lost'] = round(drain.throughputLost, 3);
  const line = (f: typeof drain.triton): string =>
    `${f.policy.padEnd(6)} ${f.interrupted} interrupted, ${f.okResponses} ok / ${f.errorResponses} errors, ` +
    `last response ${round(f.lastResponseUs / 1000, 2)} ms, ${round(f.okPerMs, 2)} ok responses/ms`;
  return (
    `reload Direct → Oldest under load (sim/examples/lifecycle, simulated time):\n  ${line(drain.triton)}\n  ${line(drain.drain)}, ` +
    `${drain.drain.heldStarts} held STARTs, hold p50 ${round(drain.drain.holdUs.p50 / 1000, 2)} ms / p99 ${round(drain.drain.holdUs.p99 / 1000, 2)} ms; ` +
    `throughput lost to draining ${round(drain.throughputLost * 100, 1)} %\n`
  );
}

/** Cost per task at n/4 and n same-instant sequences: about 1× when a choice is O(log n), 4× when O(n). */
function burstSection(figures: Figures, sequences: number): string {
  const small = benchSameInstantBurst(sequences / 4);
  const large = benchSameInstantBurst(sequences);
  const growth = large.usPerTask / small.usPerTask;
  figures[`burst_${small.sequences}_us_per_task`] = round(small.usPerTask, 3);
  figures[`burst_${large.sequences}_us_per_task`] = round(large.usPerTask, 3);
  figures[`burst_${large.sequences}_wall_ms`] = round(large.wallMs);
  figures['burst_cost_growth_4x_sequences'] = round(growth, 2);
  return (
    `${small.sequences} sequences: ${round(small.wallMs)} ms, ${round(small.usPerTask, 3)} µs/task; ` +
    `${large.sequences}: ${round(large.wallMs)} ms, ${round(large.usPerTask, 3)} µs/task → ${round(growth, 2)}× the cost per task for 4× the sequences\n`
  );
}

function addKernelFigures(figures: Figures, prefix: string, k: KernelBenchFigures): void {
  figures[`${prefix}_requests`] = k.requests;
  figures[`${prefix}_events`] = k.tasks;
  figures[`${prefix}_wall_ms`] = round(k.wallMs);
  figures[`${prefix}_requests_per_s`] = round(k.simulatedRequestsPerSec);
  figures[`${prefix}_events_per_s`] = round(k.eventsPerSec);
  figures[`${prefix}_time_compression`] = round(k.timeCompression);
  figures[`${prefix}_streamed_wall_ms`] = round(k.streamedWallMs);
  figures[`${prefix}_trace_events`] = k.traceEvents;
  figures[`${prefix}_streamed_trace_events_per_s`] = round(k.streamedTraceEventsPerSec);
  figures[`${prefix}_streamed_vs_bare_heap`] = round(k.streamedVsBareHeap, 3);
  figures[`${prefix}_lean_events_per_s`] = round(k.leanEventsPerSec);
  figures[`${prefix}_bare_heap_events_per_s`] = round(k.bareHeapEventsPerSec);
  figures[`${prefix}_vs_bare_heap`] = round(k.vsBareHeap, 3);
  if (!Number.isNaN(k.fakeTimersWallMs)) {
    figures[`${prefix}_fake_timers_wall_ms`] = round(k.fakeTimersWallMs);
    figures[`${prefix}_vs_fake_timers`] = round(k.vsFakeTimers, 2);
  }
  const cost = k.eventCost;
  if (cost !== undefined) {
    figures[`${prefix}_us_per_trace_event_world`] = round(cost.worldUs, 3);
    figures[`${prefix}_us_per_trace_event_recorded`] = round(cost.recordedUs, 3);
    figures[`${prefix}_us_per_trace_event_traced`] = round(cost.tracedUs, 3);
    figures[`${prefix}_us_per_trace_event_checked`] = round(cost.checkedUs, 3);
    figures[`${prefix}_us_per_trace_event_full`] = round(cost.fullUs, 3);
    figures[`${prefix}_us_per_trace_event_trace_bytes_alone`] = round(cost.traceBytesAloneUs, 3);
    figures[`${prefix}_us_per_trace_event_stringify_alone`] = round(cost.stringifyAloneUs, 3);
  }
  figures[`${prefix}_compression_at_1k_rps`] = round(compressionAtRate(k, 1000));
  figures[`${prefix}_compression_at_10_rps`] = round(compressionAtRate(k, 10));
  figures[`${prefix}_checked_compression_at_1k_rps`] = round(compressionAtRate(k, 1000, k.eventsPerSec));
  figures[`${prefix}_checked_compression_at_10_rps`] = round(compressionAtRate(k, 10, k.eventsPerSec));
}

function formatKernel(k: KernelBenchFigures): string {
  return [
    `Direct 2×8 slots, ${k.requests} requests, ${k.concurrent} concurrent sequences`,
    `  with trace + oracles: wall ${round(k.wallMs)} ms, ${round(k.simulatedRequestsPerSec)} ` +
      `simulated requests/s, ${round(k.eventsPerSec)} events/s (${k.tasks} events)`,
    `  as seqsim run does it (trace streamed to a file, oracles online): wall ${round(k.streamedWallMs)} ms, ` +
      `${round(k.streamedTraceEventsPerSec)} trace events/s (${k.traceEvents} events; goal 1,000,000), ` +
      `${round(k.streamedVsBareHeap, 3)} of the bare loop (goal 0.125)`,
    `  kernel + batcher alone: ${round(k.leanWallMs)} ms, ${round(k.leanEventsPerSec)} events/s`,
    ...(k.eventCost === undefined ? ['  per trace event, part by part: --full'] : formatEventCost(k.eventCost)),
    `  this workload: ${(k.simulatedUs / 1e6).toFixed(2)} s simulated in ` +
      `${(k.wallMs / 1000).toFixed(2)} s wall (checked): ${round(k.timeCompression)}× real time`,
    `  time compression at 1k req/s: ${round(compressionAtRate(k, 1000))}× (checked: ${round(compressionAtRate(k, 1000, k.eventsPerSec))}×), ` +
      `at 10 req/s: ${round(compressionAtRate(k, 10))}× (checked: ${round(compressionAtRate(k, 10, k.eventsPerSec))}×)`,
    `  bare binary-heap loop: ${round(k.bareHeapEventsPerSec)} events/s → seqsim's kernel at ${round(k.vsBareHeap, 3)} of it`,
    Number.isNaN(k.fakeTimersWallMs)
      ? '  @sinonjs/fake-timers drive of the same world: --full'
      : `  @sinonjs/fake-timers drive of the same world: ${round(k.fakeTimersWallMs)} ms → seqsim's kernel ${round(k.vsFakeTimers, 2)}× faster per event`,
    '',
  ].join('\n');
}

/**
 * Issue 19 §1's profile in the bench's own figures: what each part of a checked run costs per trace
 * event, and what is left of the microsecond a million events a second allows.
 */
function formatEventCost(c: CheckedEventCost): string[] {
  const us = (value: number): string => value.toFixed(2);
  const floorUs = c.worldUs + c.traceBytesAloneUs;
  const cores = availableParallelism();
  return [
    `  per trace event, best of ${c.warmRuns} warm runs each: the world alone (kernel, batcher, clients, transport, executor) ${us(c.worldUs)} µs; ` +
      `recorded (events built, stall watch, header) ${us(c.recordedUs)}; + trace bytes ${us(c.tracedUs)}; + oracles instead ${us(c.checkedUs)}; ` +
      `both ${us(c.fullUs)}, or ${us(c.fullUs / cores)} µs were it split evenly over this machine's ${cores} cores`,
    `  the trace's bytes alone (this run's events, already built, serialised + hashed + written): ${us(c.traceBytesAloneUs)} µs/event ` +
      `(V8's JSON.stringify alone of the same events: ${us(c.stringifyAloneUs)}); with the world alone that is ${us(floorUs)} µs, ` +
      `at most ${round(1e6 / floorUs)} trace events/s with recording and oracles free (goal 1,000,000)`,
  ];
}

function formatZoo(rows: readonly ZooBenchRow[], shrinks: number): string {
  const lines = [`bug zoo (from random seeds, stop at first failure; median / p90 wall time; shrink over the first ${shrinks} find(s)):`];
  for (const r of rows) {
    lines.push(
      `  ${r.bug.padEnd(28)} found in ${r.found}/${r.campaigns} campaigns, after ${r.seedsToFailureMedian} seeds (median), ` +
        `${round(r.wallMsMedian, 1)} / ${round(r.wallMsP90, 1)} ms, shrunk to ${r.shrunkRequestsMedian} requests in ${round(r.shrinkMsMedian)} ms ` +
        `(hand-minimal reproducer: ${r.handMinimalRequests})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** User + system CPU of every thread of this process (spawned commands not included). */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
