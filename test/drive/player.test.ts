import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { tritonErrors } from '../../src/core/errors.ts';
import { drive } from '../../live/drive/drive.ts';
import { planScenario } from '../../live/drive/plan.ts';
import { TransportFailure, type DriveTransport, type SequenceChannel, type WireAnswer, type WireRequest } from '../../live/drive/transport.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-player-'));
let traces = 0;

/**
 * A server in memory that answers as Triton's accumulator would (per id, START restarts), after
 * `delayMs`; `hang(request)` true keeps a request unanswered until the client gives up.
 */
class FakeServer implements DriveTransport {
  readonly frontEnd = 'kserve-v2-http' as const;
  readonly endpoint = 'fake://server';
  readonly abandonCancels = false;
  get orderedChannels(): boolean {
    return this.ordered;
  }
  readonly state = new Map<string, number>();
  opened = 0;
  closed = 0;
  constructor(
    private readonly ordered: boolean,
    private readonly delayMs = 5,
    private readonly hang: (request: WireRequest) => boolean = () => false,
  ) {}
  async checkModel(): Promise<void> {}
  async modelConfig(): Promise<undefined> {
    return undefined;
  }
  async modelStatistics(): Promise<undefined> {
    return undefined;
  }
  async close(): Promise<void> {}
  openSequence(): SequenceChannel {
    this.opened++;
    const infer = (request: WireRequest, signal: AbortSignal): Promise<WireAnswer> =>
      new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new TransportFailure('aborted', 'aborted')), { once: true });
        if (this.hang(request)) return;
        setTimeout(() => {
          if (signal.aborted) return;
          const key = JSON.stringify(request.sequenceId);
          const previous = this.state.get(key);
          if (!request.start && previous === undefined) {
            resolve({ kind: 'error', error: tritonErrors.missingStart(String(request.sequenceId), 'm') });
            return;
          }
          const sum = (request.start ? 0 : previous!) + request.value;
          if (request.end) this.state.delete(key);
          else this.state.set(key, sum);
          resolve({ kind: 'output', value: sum });
        }, this.delayMs);
      });
    return { ordered: this.ordered, infer, close: () => this.closed++ };
  }
}

function scenarioOf(sequences: unknown[], faults?: unknown) {
  return parseScenario(
    {
      name: 'fake',
      model: { name: 'm', max_batch_size: 2, sequence_batching: { max_sequence_idle_microseconds: 60_000_000 } },
      sequences,
      ...(faults ? { faults } : {}),
    },
    'fake.json',
    '.',
  );
}

async function play(server: FakeServer, sequences: unknown[], options: { faults?: unknown; deadlineUs?: number } = {}) {
  const tracePath = join(dir, `t${++traces}.jsonl`);
  const report = await drive(server, {
    scenario: scenarioOf(sequences, options.faults),
    modelName: 'm',
    seed: 1,
    timeScale: 1,
    concurrency: undefined,
    deadlineUs: options.deadlineUs ?? 2_000_000,
    slackUs: 100_000,
    probe: false,
    tracePath,
  });
  const events = readFileSync(tracePath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; request?: string; reason?: string; kind?: string });
  return { report, events, kinds: events.filter((e) => e.type === 'send' || e.type === 'response' || e.type === 'error').map((e) => `${e.type}:${e.request}`) };
}

const stream = [{ id: 1, mode: 'stream', steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] }];

describe('the player', () => {
  it('pipelines a stream sequence on a channel that keeps order (a gRPC stream), one channel per sequence', async () => {
    const server = new FakeServer(true, 30);
    const { report, kinds } = await play(server, stream);
    expect(report.violations).toEqual([]);
    expect(kinds.slice(0, 3)).toEqual(['send:1:0', 'send:1:1', 'send:1:2']);
    expect([server.opened, server.closed]).toEqual([1, 1]);
  });

  it('sends a stream sequence one request at a time over a channel that may reorder (HTTP), and says so', async () => {
    const { report, kinds } = await play(new FakeServer(false), stream);
    expect(kinds).toEqual(['send:1:0', 'response:1:0', 'send:1:1', 'response:1:1', 'send:1:2', 'response:1:2']);
    expect(report.notes.join(' ')).toMatch(/stream-mode sequences are sent one request at a time over HTTP/);
  });

  it('a request that gets no answer is abandoned at the deadline: an error line and a response violation', async () => {
    const { report, events } = await play(new FakeServer(false, 5, (r) => r.value === 2), stream, { deadlineUs: 200_000 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', request: '1:1', reason: 'deadline' }));
    expect(report.violations.map((v) => v.oracle)).toContain('response');
  });

  it('a client timeout sends the step again (retry_of); a disconnect closes the channel and sends nothing more', async () => {
    let hung = 0;
    // The first request with value 2 (1:1) gets no answer; its retry does.
    const server = new FakeServer(false, 5, (r) => r.value === 2 && hung++ === 0);
    const faults = { client_timeout_us: 100_000, retries: 1, scheduled: [{ kind: 'disconnect', sequence: 2, step: 1 }] };
    const sequences = [
      { id: 1, steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] },
      { id: 2, steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] },
    ];
    const { report, events, kinds } = await play(server, sequences, { faults });
    expect(report.violations).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', request: '1:1', reason: 'timeout' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'send', request: '1:1~r1', retry_of: '1:1' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'fault', kind: 'disconnect', request: '2:1' }));
    expect(kinds.filter((k) => k.startsWith('send:2:'))).toEqual(['send:2:0']);
    expect(report.clientOutcomes).toEqual({ timeout: 1 });
  });
});

describe('planning a scenario', () => {
  const faults = { misuse: 0.3, cancel: { rate: 0.3, max_us: 1000 }, disconnect: 0.1, executor_failure: 0.1, client_timeout_us: 50_000 };
  const sequences = Array.from({ length: 6 }, (_, i) => ({
    id: i + 1,
    start_us: i * 100,
    steps: [
      { value: 1, start: true },
      { value: 2, gap_us: 10 },
      { value: 3, end: true },
    ],
  }));

  it('decides the fault plan up front from the seed: the same seed the same faults, another seed others', () => {
    const decisions = (seed: number) => {
      const plan = planScenario(scenarioOf(sequences, faults), seed, 1);
      return plan.sequences.flatMap((s) => s.steps.map((_, k) => JSON.stringify(plan.faults!.faultsFor(s.index, k, 0))));
    };
    expect(decisions(4)).toEqual(decisions(4));
    expect(decisions(4)).not.toEqual(decisions(5));
    expect(decisions(4).some((d) => d.includes('misuse'))).toBe(true);
  });

  it('scales client-side times by --time-scale, leaves the server’s alone, and names what a client cannot do', () => {
    const scenario = scenarioOf(
      [
        {
          id: 1,
          start_us: 100,
          steps: [
            { value: 1, start: true, timeout_us: 700 },
            { value: 2, gap_us: 50, cancel_after_us: 30 },
          ],
        },
      ],
      faults,
    );
    const plan = planScenario(scenario, 1, 10);
    expect(plan.sequences[0]).toMatchObject({
      startUs: 1000,
      steps: [
        { timeoutUs: 700, gapUs: 0 },
        { gapUs: 500, cancelAfterUs: 300 },
      ],
    });
    expect(plan.faults!.clientTimeoutUs).toBe(500_000);
    expect(plan.notes).toEqual(["the fault plan's executor failures happen inside the server: out of a client's reach, not injected"]);
  });
});
