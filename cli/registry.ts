import type { CommandEntry } from './command.ts';

/**
 * Every subcommand, in the order `seqsim --help` lists them. A command's module (and whatever it
 * imports: ONNX Runtime, d3, fast-check…) loads only when that command runs, so the CLI starts fast.
 */
export const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    usage: 'run <scenario>',
    describe: 'simulate a scenario with a seed, check every oracle, write the trace',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  {
    name: 'replay',
    usage: 'replay <trace>',
    describe: 're-run a trace from its header and report "identical" or the first divergent line',
    load: async () => (await import('./commands/replay.ts')).replayCommand,
  },
  {
    name: 'explore',
    usage: 'explore [scenario]',
    describe: 'run many seeds (a scenario, or --generate one per seed) and report, save and shrink what breaks',
    load: async () => (await import('./commands/explore.ts')).exploreCommand,
  },
  {
    name: 'shrink',
    usage: 'shrink <input>',
    describe: 'minimise a failing trace (or scenario + --seed) while the same oracle still fails',
    load: async () => (await import('./commands/shrink.ts')).shrinkCommand,
  },
  {
    name: 'merge',
    usage: 'merge <summaries..>',
    describe: 'combine explore --shard summaries (summary-<k>-of-<n>.json) into one campaign result',
    load: async () => (await import('./commands/merge.ts')).mergeCommand,
  },
  {
    name: 'check',
    usage: 'check <scenario>',
    describe:
      'systematically explore same-instant orderings (and, with --choose-draws, fault ' +
      'decisions and latency buckets) of a small scenario (bounded DFS, PCT, random)',
    load: async () => (await import('./commands/check.ts')).checkCommand,
  },
  {
    name: 'compare',
    usage: 'compare <scenario>',
    describe: 'run one workload under several model configurations and check every sequence gets the same responses',
    load: async () => (await import('./commands/compare.ts')).compareCommand,
  },
  {
    name: 'viz',
    usage: 'viz <trace>',
    describe: 'draw the slot timeline of a trace as an SVG',
    load: async () => (await import('./commands/viz.ts')).vizCommand,
  },
  {
    name: 'report',
    usage: 'report <trace>',
    describe: 'write one self-contained HTML report of a trace (summary, timeline, events, sequences)',
    load: async () => (await import('./commands/report.ts')).reportCommand,
  },
  {
    name: 'export',
    usage: 'export <trace>',
    describe: 'convert a trace to Chrome trace-event JSON (Perfetto, chrome://tracing)',
    load: async () => (await import('./commands/export.ts')).exportCommand,
  },
  {
    name: 'live',
    usage: 'live [scenario]',
    describe: 'run a scenario against the real batcher on ONNX Runtime (real clock), check every oracle, report throughput and latency',
    load: async () => (await import('./commands/live.ts')).liveCommand,
  },
  {
    name: 'serve',
    usage: 'serve <scenario>',
    describe:
      "serve the scenario's model over KServe v2 HTTP and gRPC (Triton's sequence parameters) " +
      'on the live batcher; Ctrl-C stops, checks the oracles and writes the trace',
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  {
    name: 'repo',
    usage: 'repo <scenario>',
    describe:
      "write a Triton model repository (-o DIR): the scenario's config.pbtxt and the generated accumulator, as ONNX " +
      "(checked as Triton's onnxruntime backend checks it) or as model.py for Triton's Python backend (--backend python)",
    load: async () => (await import('./commands/repo.ts')).repoCommand,
  },
  {
    name: 'drive',
    usage: 'drive [scenario]',
    describe:
      "play a scenario (or Triton's sequence stress workload) against a real KServe v2 server, with its client-side faults; " +
      'check every oracle a client can observe on the client-side trace',
    load: async () => (await import('./commands/drive.ts')).driveCommand,
  },
  {
    name: 'examples',
    usage: 'examples',
    describe: 'simulate every shipped example scenario with its seed, print a summary, write traces',
    load: async () => (await import('./commands/examples.ts')).examplesCommand,
  },
  {
    name: 'bench',
    usage: 'bench',
    describe: 'print speed figures: checked events/s vs a bare heap loop, start-up, explore seeds/s, the zoo raced against fast-check',
    load: async () => (await import('./commands/bench.ts')).benchCommand,
  },
];
