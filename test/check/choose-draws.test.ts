import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { checkExhaustive, defaultOption } from '../../sim/check/dfs.ts';
import { checkPct, PctChooser } from '../../sim/check/pct.ts';
import { checkRandom } from '../../sim/check/random-schedules.ts';
import { ChoosingStream } from '../../sim/kernel/choosing-stream.ts';
import { simulate } from '../../sim/simulate.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';
import { traceText } from '../../traces/writer.ts';
import { cli } from '../helpers/cli.ts';

const worldFile = (name: string) => fileURLToPath(new URL(`../../sim/examples/check/${name}.json`, import.meta.url));
const world = (name: string) => loadScenarioFile(worldFile(name));
const everyFaultFile = fileURLToPath(new URL('../fixtures/scenarios/every-fault-ranged.json', import.meta.url));
const DOUBLE_RELEASE = 'bug:double-release-after-cancel';

/** A DrawDecider that answers from a list (then 0) and keeps every point's labels. */
function scripted(answers: number[]) {
  const asked: string[][] = [];
  const decider = {
    chooseDraw: (count: number, label: (index: number) => string) => {
      asked.push(Array.from({ length: count }, (_, i) => label(i)));
      return answers.shift() ?? 0;
    },
  };
  return { stream: new ChoosingStream(decider), asked };
}

describe('ChoosingStream: draws as named choices', () => {
  it('a fault decision is skip / fire (option 0 = skip); a certain outcome asks nothing', () => {
    const { stream, asked } = scripted([1, 0]);
    expect(stream.chance(0.5, () => 'fault:request_drop:7:2')).toBe(true);
    expect(stream.chance(0.5, () => 'fault:request_drop:7:3')).toBe(false);
    expect(stream.chance(0, () => 'never')).toBe(false);
    expect(stream.chance(1, () => 'always')).toBe(true);
    expect(asked).toEqual([
      ['fault:request_drop:7:2=skip', 'fault:request_drop:7:2=fire'],
      ['fault:request_drop:7:3=skip', 'fault:request_drop:7:3=fire'],
    ]);
  });

  it('a range offers min / mid / max (deduplicated), a list one option per item', () => {
    const { stream, asked } = scripted([1, 2, 1, 2]);
    expect(stream.int(10, 31, () => 'latency:up:7:2')).toBe(20);
    expect(stream.int(10, 31, () => 'latency:up:7:2')).toBe(31);
    expect(stream.int(4, 5, () => 'fault:cancel_after_us:7:2')).toBe(5);
    expect(stream.int(9, 9, () => 'fixed')).toBe(9);
    expect(stream.pick(['id_zero', 'id_retyped', 'missing_start'], () => 'fault:misuse_kind:7:0')).toBe('missing_start');
    expect(stream.pick(['only'], () => 'one')).toBe('only');
    expect(asked.map((options) => options.join(' '))).toEqual([
      'latency:up:7:2=min latency:up:7:2=mid latency:up:7:2=max',
      'latency:up:7:2=min latency:up:7:2=mid latency:up:7:2=max',
      'fault:cancel_after_us:7:2=min fault:cancel_after_us:7:2=max',
      'fault:misuse_kind:7:0=id_zero fault:misuse_kind:7:0=id_retyped fault:misuse_kind:7:0=missing_start',
    ]);
  });

  it('beyond the depth bound a draw takes option 0 (skip, min), not its least label', () => {
    const labels = ['latency:up:1:0=min', 'latency:up:1:0=mid', 'latency:up:1:0=max'];
    const draw = { kind: 'draw' as const, count: 3, nowUs: 0, label: (i: number) => labels[i]! };
    expect(defaultOption(draw)).toBe(0);
    const skipFire = { kind: 'draw' as const, count: 2, nowUs: 0, label: (i: number) => ['x=skip', 'x=fire'][i]! };
    expect(defaultOption(skipFire)).toBe(0);
  });
});

describe('seeded runs are unchanged when draws are not chosen', () => {
  // Trace hashes of a scenario with every fault kind and ranged latencies, computed on the
  // commit before choose-draws existed (e35c94f): the seeded path draws exactly as it did.
  const BEFORE: Record<number, string> = {
    1: 'bc81784d8dd0b0d341d55e1ce243db5891a6d8ba0303c515d0ae5d214d8d2411',
    2: '1891d3398f16817984b57fffe4c238a55e8241cfaa892ff088815eeeb2270043',
    3: '02bd7aab83ecf9ad17a05e0fe797fe6e539215d6a3488bbce9eb8b476f543a55',
    4: 'c0bd67b3512f6be9d50d1e4baa70738ab7c2ebb718437b20537519d498350c00',
    5: '2a742a2ca0a44d7018f6f8c433a9322b0dadb28c4e6f09a3990c2cceec58263a',
    6: '6ac8b0772a09cfd89bbaae57e39b159c0bc6ee419ee15c1b8823717096996b21',
    7: '83b7775e2888282b16ac7ae07edcbde713813882499c907300e0d412e7c69068',
    8: '7028325ef3ecdc1ea1a27f41d041ec2046391039d87c82994057a64eb40e464e',
  };

  it.each(Object.keys(BEFORE).map(Number))('every-fault-ranged seed %i: the same trace hash as before, no choose_draws in the header', (seed) => {
    const run = simulate(loadScenarioFile(everyFaultFile), { seed, recordChoices: 10_000 });
    expect(run.hash).toBe(BEFORE[seed]);
    expect(run.header.options['choose_draws']).toBeUndefined();
    expect(run.choices.every((choice) => choice.options.every((label) => !label.includes('=')))).toBe(true);
  });

  it('every fault kind fires in some seeded run of the fixture (the hashes cover every draw site)', () => {
    const fired = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) for (const kind of Object.keys(simulate(loadScenarioFile(everyFaultFile), { seed }).faultsFired)) fired.add(kind);
    expect([...fired].sort()).toEqual([
      'burst',
      'cancel',
      'disconnect',
      'executor_failure',
      'executor_stall',
      'misuse',
      'request_drop',
      'response_drop',
      'timer_jitter',
      'transport_delay',
    ]);
  });
});

describe('check --choose-draws on a hand-countable world', () => {
  // One sync sequence of 2 steps; per request a drop decision (skip / fire) and, unless dropped,
  // 3 uplink buckets × 3 downlink buckets (a dropped START times out; step 1 is then rejected,
  // which still travels down): 1 + 9 = 10 outcomes per request, 10 × 10 = 100 schedules.
  it('DFS enumerates exactly 100 schedules, with or without reduction', () => {
    for (const reduction of [true, false]) {
      const result = checkExhaustive(world('drop-and-latency'), { seed: 1, batcher: 'real', depth: 12, maxSchedules: 10_000, reduction, chooseDraws: true });
      expect(result).toMatchObject({ schedules: 100, exhausted: true, counterexample: undefined, deepestRun: 6, depthBoundHit: false, sleepPrunes: 0 });
      expect(result.drawPoints).toBe(result.choicePoints);
    }
  });

  it('without the mode the seed fixes every draw: one schedule', () => {
    const result = checkExhaustive(world('drop-and-latency'), { seed: 1, batcher: 'real', depth: 12, maxSchedules: 10_000 });
    expect(result).toMatchObject({ schedules: 1, choicePoints: 0, drawPoints: 0, exhausted: true });
  });

  it('the default run (option 0 everywhere) fires no fault and takes every minimum latency; every draw label appears', () => {
    const run = simulate(world('drop-and-latency'), { seed: 1, chooseDraws: true, schedule: [], recordChoices: 100 });
    expect(run.faultsFired).toEqual({});
    expect(run.choices.map((choice) => choice.options)).toEqual(
      ['1:0', '1:1'].flatMap((request) => [
        [`fault:request_drop:${request}=skip`, `fault:request_drop:${request}=fire`],
        ['min', 'mid', 'max'].map((bucket) => `latency:up:${request}=${bucket}`),
        ['min', 'mid', 'max'].map((bucket) => `latency:down:${request}=${bucket}`),
      ]),
    );
    expect(run.choices.every((choice) => choice.chosen === choice.options[0])).toBe(true);
    const times = run.events.flatMap((e) => (e.type === 'arrive' || e.type === 'response' ? [`${e.type}@${e.t}`] : []));
    expect(times).toEqual(['arrive@10', 'response@120', 'arrive@130', 'response@240']);
  });

  it('bucket labels give the range min / mid / max, and a fired drop is a fault event', () => {
    const arrivals = (schedule: string[]) =>
      simulate(world('drop-and-latency'), { seed: 1, chooseDraws: true, schedule }).events.flatMap((e) => (e.type === 'arrive' ? [e.t] : []));
    expect(arrivals(['fault:request_drop:1:0=skip', 'latency:up:1:0=mid'])[0]).toBe(20);
    expect(arrivals(['fault:request_drop:1:0=skip', 'latency:up:1:0=max'])[0]).toBe(30);
    const dropped = simulate(world('drop-and-latency'), { seed: 1, chooseDraws: true, schedule: ['fault:request_drop:1:0=fire'] });
    expect(dropped.faultsFired).toEqual({ request_drop: 1 });
    expect(dropped.events.some((e) => e.type === 'fault' && e.kind === 'request_drop')).toBe(true);
    expect(dropped.scheduleDivergence).toBeUndefined();
  });

  it('the depth bound counts draws: beyond it they take option 0, and the report says so', () => {
    // Within 3 points: a kept START branches over 3 × 3 latencies (9 runs); a dropped one over
    // the next drop decision and, when it is skipped, its uplink (1 + 3 runs): 13.
    const bounded = checkExhaustive(world('drop-and-latency'), { seed: 1, batcher: 'real', depth: 3, maxSchedules: 10_000, chooseDraws: true });
    expect(bounded).toMatchObject({ schedules: 13, exhausted: true, depthBoundHit: true, depthReached: 3, deepestRun: 6 });
    const budget = checkExhaustive(world('drop-and-latency'), { seed: 1, batcher: 'real', depth: 12, maxSchedules: 7, chooseDraws: true });
    expect(budget).toMatchObject({ schedules: 7, exhausted: false, budgetSpent: 'schedules' });
    const states = checkExhaustive(world('drop-and-latency'), { seed: 1, batcher: 'real', depth: 12, maxSchedules: 10_000, maxStates: 5, chooseDraws: true });
    expect(states).toMatchObject({ exhausted: false, budgetSpent: 'states' });
  });

  it('a world with every fault kind and ranged latencies: every kind of draw is a labelled choice point', () => {
    const families = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) {
      const run = simulate(loadScenarioFile(everyFaultFile), { seed, chooseDraws: true, recordChoices: 10_000 });
      expect(run.header.options['choose_draws']).toBe(true);
      for (const choice of run.choices) {
        const family = /^(fault:[a-z_]+|latency:[a-z]+):/.exec(choice.options[0]!)?.[1];
        if (family !== undefined) families.add(family);
      }
    }
    const faults = [
      'burst',
      'cancel',
      'cancel_after_us',
      'disconnect',
      'executor_failure',
      'executor_stall',
      'misuse',
      'misuse_kind',
      'request_drop',
      'response_drop',
    ];
    const more = ['timer_jitter', 'timer_jitter_us', 'transport_delay', 'transport_delay_us'];
    expect([...families].sort()).toEqual([...[...faults, ...more].map((f) => `fault:${f}`), 'latency:down', 'latency:exec', 'latency:up'].sort());
  });

  it('a bounded search of that world stays within its bounds and replays its schedules', () => {
    const result = checkExhaustive(loadScenarioFile(everyFaultFile), { seed: 1, batcher: 'real', depth: 6, maxSchedules: 300, chooseDraws: true });
    expect(result.depthReached).toBeLessThanOrEqual(6);
    expect(result.schedules).toBeLessThanOrEqual(300);
    expect(result.drawPoints).toBeGreaterThan(0);
    expect(result.exhausted || result.budgetSpent !== undefined || result.counterexample !== undefined).toBe(true);
  });
});

describe('check --choose-draws finds a bug that needs a fault', () => {
  // double-release-after-cancel needs a cancellation before the reap. The world's cancels come
  // only from the fault plan (rate 0.3), and its seed 4 draws none.
  it('a seeded check under a seed where the cancel does not fire reports no violation', () => {
    const scenario = world('cancel-before-reap');
    expect(simulate(scenario, { seed: 4, batcher: DOUBLE_RELEASE }).faultsFired).toEqual({});
    const seeded = checkExhaustive(scenario, { seed: 4, batcher: DOUBLE_RELEASE, depth: 12, maxSchedules: 10_000 });
    expect(seeded).toMatchObject({ exhausted: true, counterexample: undefined, drawPoints: 0 });
  });

  it('with chosen draws the exhaustive search finds it; the real batcher passes the same search', () => {
    const scenario = world('cancel-before-reap');
    const found = checkExhaustive(scenario, { seed: 4, batcher: DOUBLE_RELEASE, depth: 12, maxSchedules: 10_000, chooseDraws: true });
    expect(found.counterexample?.run.violations.map((v) => v.oracle)).toContain('invariant');
    expect(found.counterexample!.schedule).toContain('fault:cancel:1:1=fire');
    expect(found.counterexample!.run.faultsFired).toMatchObject({ cancel: 1 });
    const clean = checkExhaustive(scenario, { seed: 4, batcher: 'real', depth: 10, maxSchedules: 10_000, chooseDraws: true });
    expect(clean).toMatchObject({ exhausted: true, counterexample: undefined });
  });

  it.each([6, 8, 10])('depth %i: state hashing and the full search agree (same verdict, same distinct states)', (depth) => {
    const run = (batcher: string, reduction: boolean) =>
      checkExhaustive(world('cancel-before-reap'), { seed: 4, batcher, depth, maxSchedules: 50_000, reduction, chooseDraws: true });
    for (const batcher of ['real', DOUBLE_RELEASE]) {
      const reduced = run(batcher, true);
      const plain = run(batcher, false);
      expect(reduced.counterexample !== undefined).toBe(plain.counterexample !== undefined);
      expect(reduced.schedules).toBeLessThanOrEqual(plain.schedules);
      if (plain.exhausted) expect(reduced.distinctStates).toBe(plain.distinctStates);
    }
  });

  it('the counterexample replays exactly from its header; its schedule names draws', () => {
    const found = checkExhaustive(world('cancel-before-reap'), { seed: 4, batcher: DOUBLE_RELEASE, depth: 12, maxSchedules: 10_000, chooseDraws: true });
    const run = found.counterexample!.run;
    expect(run.header.options).toMatchObject({ choose_draws: true, schedule: [...found.counterexample!.schedule], batcher: DOUBLE_RELEASE });
    expect(found.counterexample!.schedule.some((label) => label.startsWith('fault:cancel_after_us:'))).toBe(true);
    const text = traceText(run);
    const replayed = replayTrace(parseTrace(text, 'cx.jsonl'), 'cx.jsonl');
    expect(replayed.identical).toBe(true);
    expect(replayed.run.hash).toBe(run.hash);
    expect(replayed.run.scheduleDivergence).toBeUndefined();
  });

  it('as a scenario ("draws": "chosen" and the schedule) it reproduces too; without chosen draws its draw labels are stale', () => {
    const found = checkExhaustive(world('cancel-before-reap'), { seed: 4, batcher: DOUBLE_RELEASE, depth: 12, maxSchedules: 10_000, chooseDraws: true });
    const schedule = [...found.counterexample!.schedule];
    const json = { ...(found.counterexample!.run.header.scenario as Record<string, unknown>), schedule };
    const reproducer = simulate(parseScenario({ ...json, draws: 'chosen' }, 'min.json', '.'), { seed: 4, batcher: DOUBLE_RELEASE });
    expect(reproducer.violations.map((v) => v.oracle)).toContain('invariant');
    expect(reproducer.scheduleDivergence).toBeUndefined();
    const seeded = simulate(parseScenario(json, 'min.json', '.'), { seed: 4, batcher: DOUBLE_RELEASE });
    expect(seeded.scheduleDivergence?.wanted).toBe('fault:cancel:1:0=skip');
  });

  it('a stale draw label is reported like a stale ordering label', () => {
    const stale = simulate(world('drop-and-latency'), { seed: 1, chooseDraws: true, schedule: ['fault:request_drop:9:9=fire'] });
    expect(stale.scheduleDivergence).toEqual({
      point: 0,
      wanted: 'fault:request_drop:9:9=fire',
      options: ['fault:request_drop:1:0=skip', 'fault:request_drop:1:0=fire'],
    });
  });

  it('PCT picks draws uniformly from its own source, outside its threads and k, and finds the bug', () => {
    const chooser = new PctChooser(() => 0.99, 2, 10);
    expect(chooser.choose({ kind: 'draw', count: 3, nowUs: 0, label: (i) => `latency:up:1:0=${['min', 'mid', 'max'][i]!}` })).toBe(2);
    expect(chooser).toMatchObject({ choicePoints: 0, drawPoints: 1, picked: [2] });
    expect(chooser.threads.size).toBe(0);
    const found = checkPct(world('cancel-before-reap'), { seed: 4, batcher: DOUBLE_RELEASE, runs: 500, bugDepth: 2, chooseDraws: true });
    // The double release shows as a broken invariant, or as slot accounting and order violations.
    expect(found.counterexample?.run.violations.length).toBeGreaterThan(0);
    expect(found.counterexample!.run.faultsFired).toMatchObject({ cancel: 1 });
    expect(found.drawPoints).toBeGreaterThan(0);
    const run = found.counterexample!.run;
    expect(run.header.options['choose_draws']).toBe(true);
    expect(replayTrace(parseTrace(traceText(run), 'pct.jsonl'), 'pct.jsonl').identical).toBe(true);
    expect(checkPct(world('cancel-before-reap'), { seed: 4, batcher: DOUBLE_RELEASE, runs: 100, bugDepth: 2 }).counterexample).toBeUndefined();
    expect(checkPct(world('cancel-before-reap'), { seed: 4, batcher: 'real', runs: 300, bugDepth: 2, chooseDraws: true }).counterexample).toBeUndefined();
  });

  it('random schedules pick draws uniformly too and find the bug; the counterexample replays', () => {
    const found = checkRandom(world('cancel-before-reap'), { seed: 4, batcher: DOUBLE_RELEASE, runs: 500, chooseDraws: true });
    expect(found.counterexample).toBeDefined();
    expect(found.counterexample!.schedule).toContain('fault:cancel:1:1=fire');
    const run = found.counterexample!.run;
    expect(replayTrace(parseTrace(traceText(run), 'random.jsonl'), 'random.jsonl').identical).toBe(true);
    expect(checkRandom(world('cancel-before-reap'), { seed: 4, batcher: DOUBLE_RELEASE, runs: 100 }).counterexample).toBeUndefined();
    expect(checkRandom(world('cancel-before-reap'), { seed: 4, batcher: 'real', runs: 300, chooseDraws: true }).counterexample).toBeUndefined();
  });
});

describe('seqsim check / run / replay / shrink with --choose-draws', () => {
  it('check --choose-draws finds the bug, says draws were chosen, and its trace replays', async () => {
    const out = mkdtempSync(join(tmpdir(), 'seqsim-draws-'));
    const seeded = await cli('check', worldFile('cancel-before-reap'), '--batcher', DOUBLE_RELEASE, '--depth', '12', '--out', out);
    expect(seeded.code).toBe(0);
    expect(seeded.out).toMatch(
      /\(seed 4, bug:double-release-after-cancel batcher\): \d+ schedules, \d+ choice points, .* — no violation within bounds \(depth 12\)/,
    );
    const chosen = await cli('check', worldFile('cancel-before-reap'), '--batcher', DOUBLE_RELEASE, '--depth', '12', '--choose-draws', '--out', out);
    expect(chosen.code).toBe(1);
    expect(chosen.out).toMatch(/\(seed 4, bug:double-release-after-cancel batcher, draws chosen\): \d+ schedules, \d+ choice points \(\d+ of them draws\)/);
    expect(chosen.out).toContain('✗ invariant');
    expect(chosen.out).toContain('"fault:cancel:1:1=fire"');
    const json = await cli('check', worldFile('cancel-before-reap'), '--batcher', DOUBLE_RELEASE, '--depth', '12', '--choose-draws', '--out', out, '--json');
    const report = JSON.parse(json.out) as { verdict: string; choose_draws: boolean; draw_points: number; schedule: string[]; trace: string };
    expect(report).toMatchObject({ verdict: 'counterexample', choose_draws: true });
    expect(report.draw_points).toBeGreaterThan(0);
    expect(report.schedule).toContain('fault:cancel:1:1=fire');
    const replay = await cli('replay', report.trace);
    expect(replay.out).toMatch(/^identical: \d+ lines, hash [0-9a-f]{64}, 1 violation\(s\) reproduced/);
    expect(replay.code).toBe(1);
  });

  it('the bound report counts draws against --depth and says what a draw takes beyond it', async () => {
    const { code, out } = await cli('check', worldFile('drop-and-latency'), '--choose-draws', '--depth', '3', '--json');
    const report = JSON.parse(out) as Record<string, unknown>;
    expect(code).toBe(0);
    expect(report).toMatchObject({ verdict: 'no violation within bounds', schedules: 13, exhausted: true, choose_draws: true });
    expect(report['bounds_hit']).toEqual([expect.stringMatching(/^--depth 3: runs have up to 6 choice points; .*\(a draw: skip, min\)$/)]);
  });

  it('--strategy pct and random accept --choose-draws', async () => {
    const pct = await cli(
      'check',
      worldFile('cancel-before-reap'),
      '--batcher',
      DOUBLE_RELEASE,
      '--strategy',
      'pct',
      '--runs',
      '300',
      '--choose-draws',
      '--json',
      '--out',
      mkdtempSync(join(tmpdir(), 'seqsim-draws-')),
    );
    expect(JSON.parse(pct.out)).toMatchObject({ strategy: 'pct', choose_draws: true, verdict: 'counterexample' });
    const random = await cli('check', worldFile('drop-and-latency'), '--strategy', 'random', '--runs', '20', '--choose-draws');
    expect(random.code).toBe(0);
    expect(random.out).toMatch(/\(seed 1, real batcher, draws chosen\): 20 random-schedule runs, up to 6 choice points — no violation in these runs/);
  });

  it('run --choose-draws records the mode in the header, and replay re-runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsim-draws-'));
    const trace = join(dir, 'run.jsonl');
    const { code } = await cli('run', everyFaultFile, '--seed', '3', '--choose-draws', '--trace', trace);
    expect(code === 0 || code === 1).toBe(true);
    expect(JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!).options).toMatchObject({ choose_draws: true });
    expect((await cli('replay', trace, '--json')).out).toContain('"identical":true');
  });

  it("shrink keeps a check counterexample's schedule and chosen draws in its reproducer", async () => {
    const out = mkdtempSync(join(tmpdir(), 'seqsim-draws-'));
    const check = await cli('check', worldFile('cancel-before-reap'), '--batcher', DOUBLE_RELEASE, '--choose-draws', '--out', out, '--json');
    const trace = (JSON.parse(check.out) as { trace: string }).trace;
    const shrunk = await cli('shrink', trace, '--json');
    expect(shrunk.code).toBe(1);
    const reproducer = JSON.parse(readFileSync((JSON.parse(shrunk.out) as { reproducer: string }).reproducer, 'utf8')) as Record<string, unknown>;
    expect(reproducer['draws']).toBe('chosen');
    expect(reproducer['schedule']).toContain('fault:cancel:1:1=fire');
    const rerun = await cli(
      'run',
      (JSON.parse(shrunk.out) as { reproducer: string }).reproducer,
      '--seed',
      '4',
      '--batcher',
      DOUBLE_RELEASE,
      '--trace',
      join(out, 'min-run.jsonl'),
    );
    expect(rerun.code).toBe(1);
    expect(rerun.out).toContain('invariant');
    expect((await cli('replay', join(out, 'min-run.jsonl'))).out).toMatch(/^identical: .*1 violation\(s\) reproduced/);
  });

  it('a scenario\'s "draws" must be "seeded" or "chosen" (exit 2 naming the file and field)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsim-draws-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(worldFile('drop-and-latency'), 'utf8')), draws: 'random' }));
    const { code, err } = await cli('run', file);
    expect(code).toBe(2);
    expect(err).toContain('bad.json');
    expect(err).toMatch(/draws.*must be "seeded".*or "chosen"/);
    const seededFile = join(dir, 'seeded.json');
    writeFileSync(seededFile, JSON.stringify({ ...JSON.parse(readFileSync(worldFile('drop-and-latency'), 'utf8')), draws: 'seeded' }));
    expect(loadScenarioFile(seededFile).draws).toBeUndefined();
    expect(loadScenarioFile(seededFile).normalized['draws']).toBeUndefined();
  });

  it('scenario.schema.json knows the "draws" extension', () => {
    const schema = JSON.parse(readFileSync(new URL('../../src/scenario/scenario.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true }).compile(schema);
    const json = JSON.parse(readFileSync(worldFile('drop-and-latency'), 'utf8')) as Record<string, unknown>;
    expect(validate({ ...json, draws: 'chosen', schedule: ['fault:request_drop:1:0=fire'] })).toBe(true);
    expect(validate({ ...json, draws: 'seeded' })).toBe(true);
    expect(validate({ ...json, draws: 'random' })).toBe(false);
  });

  it('replay refuses a malformed options.choose_draws', () => {
    const run = simulate(world('drop-and-latency'), { seed: 1, chooseDraws: true });
    const lines = traceText(run).split('\n');
    const header = JSON.parse(lines[0]!) as { options: Record<string, unknown> };
    header.options['choose_draws'] = 'yes';
    const text = [JSON.stringify(header), ...lines.slice(1)].join('\n');
    expect(() => replayTrace(parseTrace(text, 'bad.jsonl'), 'bad.jsonl')).toThrow(/options\.choose_draws/);
  });
});
