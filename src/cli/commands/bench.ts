import type { Argv } from 'yargs';
import { benchKernel, compressionAtRate, type KernelBenchFigures } from '../../../sim/bench/kernel-bench.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { benchViz } from '../../../viz/bench.ts';
import { parsePositiveInt } from '../options.ts';

/** Figures, not assertions: speed belongs in a benchmark that prints numbers (brief). */
export const benchCommand: SeqsimCommand = {
  name: 'bench',
  usage: 'bench',
  describe: 'print simulator speed figures (requests/s, events/s, vs a bare heap loop and fake-timers)',
  builder: (y: Argv) =>
    y
      .option('requests', { type: 'number', default: 100_000, describe: 'requests per workload' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object of named figures' }),
  async run(args, io) {
    const requests = parsePositiveInt(args['requests'], '--requests');
    const figures: Record<string, number> = {};
    for (const concurrent of [100, 10_000]) {
      if (!args['json']) io.err(`bench: ${requests} requests, ${concurrent} concurrent sequences…\n`);
      const kernel = benchKernel(concurrent, requests, true);
      addKernelFigures(figures, `direct_${concurrent}`, kernel);
      if (!args['json']) io.out(formatKernel(kernel));
    }
    const viz = await benchViz();
    Object.assign(figures, viz);
    if (!args['json']) {
      io.out(
        `SVG timeline: 1k requests ${viz['viz_svg_1k_render_ms']} ms, ${Math.round((viz['viz_svg_1k_bytes'] ?? 0) / 1024)} KiB; ` +
          `10k requests ${viz['viz_svg_10k_render_ms']} ms, ${Math.round((viz['viz_svg_10k_bytes'] ?? 0) / 1024)} KiB (target < 2000 ms, < 5 MiB)\n`,
      );
    }
    if (args['json']) io.out(`${JSON.stringify(figures)}\n`);
    return EXIT_OK;
  },
};

function addKernelFigures(figures: Record<string, number>, prefix: string, k: KernelBenchFigures): void {
  figures[`${prefix}_requests`] = k.requests;
  figures[`${prefix}_events`] = k.tasks;
  figures[`${prefix}_wall_ms`] = round(k.wallMs);
  figures[`${prefix}_requests_per_s`] = round(k.simulatedRequestsPerSec);
  figures[`${prefix}_events_per_s`] = round(k.eventsPerSec);
  figures[`${prefix}_time_compression`] = round(k.timeCompression);
  figures[`${prefix}_lean_events_per_s`] = round(k.leanEventsPerSec);
  figures[`${prefix}_bare_heap_events_per_s`] = round(k.bareHeapEventsPerSec);
  figures[`${prefix}_vs_bare_heap`] = round(k.vsBareHeap, 3);
  figures[`${prefix}_fake_timers_wall_ms`] = round(k.fakeTimersWallMs);
  figures[`${prefix}_vs_fake_timers`] = round(k.vsFakeTimers, 2);
  figures[`${prefix}_compression_at_1k_rps`] = round(compressionAtRate(k, 1000));
  figures[`${prefix}_compression_at_10_rps`] = round(compressionAtRate(k, 10));
  figures[`${prefix}_checked_compression_at_1k_rps`] = round(compressionAtRate(k, 1000, k.eventsPerSec));
  figures[`${prefix}_checked_compression_at_10_rps`] = round(compressionAtRate(k, 10, k.eventsPerSec));
}

function formatKernel(k: KernelBenchFigures): string {
  return [
    `Direct 2×8 slots, ${k.requests} requests, ${k.concurrent} concurrent sequences`,
    `  with trace + oracles: wall ${round(k.wallMs)} ms, ${round(k.simulatedRequestsPerSec)} simulated requests/s, ${round(k.eventsPerSec)} events/s (${k.tasks} events)`,
    `  kernel + batcher alone: ${round(k.leanWallMs)} ms, ${round(k.leanEventsPerSec)} events/s`,
    `  this workload: ${(k.simulatedUs / 1e6).toFixed(2)} s simulated in ${(k.wallMs / 1000).toFixed(2)} s wall (checked): ${round(k.timeCompression)}× real time`,
    `  time compression at 1k req/s: ${round(compressionAtRate(k, 1000))}× (checked: ${round(compressionAtRate(k, 1000, k.eventsPerSec))}×), ` +
      `at 10 req/s: ${round(compressionAtRate(k, 10))}× (checked: ${round(compressionAtRate(k, 10, k.eventsPerSec))}×)`,
    `  bare binary-heap loop: ${round(k.bareHeapEventsPerSec)} events/s → seqsim's kernel at ${round(k.vsBareHeap, 3)} of it (target ≥ 0.333)`,
    `  @sinonjs/fake-timers drive of the same world: ${round(k.fakeTimersWallMs)} ms → seqsim's kernel ${round(k.vsFakeTimers, 2)}× faster per event`,
    '',
  ].join('\n');
}

function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
