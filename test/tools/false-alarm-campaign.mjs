#!/usr/bin/env -S node --single-threaded-gc
/**
 * The false-alarm campaign of issue 18 §5: explore --generate with the real batcher in each mode
 * (plain, --lifecycle, --metamorphic), each within a time budget, and per mode the seeds run, the
 * violating runs (each one a false alarm or a real batcher bug), the runs showing documented Triton
 * behaviour, and --metamorphic's exclusions by reason. Exits 1 if any mode had a violating run.
 *
 *   npm run build && node test/tools/false-alarm-campaign.mjs [--budget 60s] [--from 1] [--seeds N]
 *     [--modes plain,lifecycle,metamorphic] [--workers N] [--json]
 *
 * `npm run campaign:false-alarms` runs it with the defaults (60 s per mode). docs/known-triton-behaviour.md
 * records the campaigns run so far.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

const dist = new URL('../../dist/', import.meta.url);
if (!existsSync(new URL('bench/false-alarm-campaign.js', dist))) {
  process.stderr.write('false-alarm-campaign: the compiled sources (dist/) are missing: run `npm run build`\n');
  process.exit(2);
}
const { FALSE_ALARM_MODES, formatFalseAlarmReport, runFalseAlarmCampaign } = await import(new URL('bench/false-alarm-campaign.js', dist).href);
const { parseDurationMs, parsePositiveInt, parseSeed } = await import(new URL('cli/options.js', dist).href);

const usage = (message) => {
  process.stderr.write(`false-alarm-campaign: ${message}\n`);
  process.exit(2);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      budget: { type: 'string', default: '60s' },
      from: { type: 'string', default: '1' },
      seeds: { type: 'string', default: '10000000' },
      modes: { type: 'string', default: FALSE_ALARM_MODES.join(',') },
      workers: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  usage(error.message);
}
try {
  const modes = values.modes.split(',');
  const unknown = modes.filter((mode) => !FALSE_ALARM_MODES.includes(mode));
  if (unknown.length > 0) usage(`--modes: unknown mode ${JSON.stringify(unknown[0])} (choose from ${FALSE_ALARM_MODES.join(', ')})`);
  const workers = values.workers !== undefined ? parsePositiveInt(Number(values.workers), '--workers') : Math.max(1, Math.min(availableParallelism(), 16));
  const reports = await runFalseAlarmCampaign({
    modes,
    from: parseSeed(values.from, '--from'),
    seeds: parsePositiveInt(Number(values.seeds), '--seeds'),
    budgetMs: parseDurationMs(values.budget, '--budget'),
    workers,
    onMode: (report) => {
      if (!values.json) process.stdout.write(formatFalseAlarmReport(report));
    },
  });
  if (values.json) process.stdout.write(`${JSON.stringify(reports)}\n`);
  process.exitCode = reports.some((report) => report.violatingRuns > 0) ? 1 : 0;
} catch (error) {
  // The CLI's usage errors (bad --budget, --seeds, …) are one line; anything else is a crash.
  if (error?.name === 'UsageError') usage(error.message);
  throw error;
}
