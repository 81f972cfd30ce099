import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIFECYCLE_ZOO, ZOO } from '../../sim/zoo/variants.ts';
import { HARD_ZOO } from '../../sim/zoo/hard-variants.ts';
import { driveAgainstServe, PROTOCOLS, type Protocol, root } from './helpers.ts';

/**
 * Every zoo bug behind `seqsim serve --batcher bug:<name>`, driven over HTTP and gRPC: found through
 * the wire (by the oracle named here), or not observable from an HTTP client — then docs/drive.md
 * says why, and the run is clean (so the claim is tested too); some of those a gRPC stream reaches.
 */
interface Found {
  readonly scenario: string;
  /** The oracle that finds it, per protocol it is found over. */
  readonly oracles: Partial<Record<Protocol, string>>;
  readonly deadlineUs?: number;
  readonly slackUs?: number;
}

const FOUND: Record<string, Found> = {
  'slot-leak-on-end': { scenario: 'sim/examples/drive/slot-leak.json', oracles: { http: 'slot-accounting', grpc: 'response' }, deadlineUs: 1_000_000 },
  'backlog-lifo': { scenario: 'sim/examples/drive/backlog-fifo.json', oracles: { http: 'liveness', grpc: 'liveness' } },
  'idle-from-completion': { scenario: 'sim/examples/drive/idle-clock.json', oracles: { http: 'errors', grpc: 'errors' } },
  // Hard bugs (sim/zoo/hard-variants.ts), driven over HTTP.
  'backlog-idle-unwatched': { scenario: 'sim/examples/drive/backlog-idle.json', oracles: { http: 'slot-accounting' }, deadlineUs: 1_000_000 },
  'oldest-reaper-null-request': { scenario: 'sim/examples/drive/oldest-reap.json', oracles: { http: 'errors' } },
  // A stream pipelines a sequence's steps: two of them queued at once read the same state.
  'oldest-two-per-batch': { scenario: 'sim/examples/oldest-basic.json', oracles: { grpc: 'outputs' } },
};
const FOUND_RUNS = Object.entries(FOUND).flatMap(([bug, how]) =>
  PROTOCOLS.filter((protocol) => how.oracles[protocol] !== undefined).map((protocol) => [bug, protocol, how] as const),
);

const NOT_OBSERVABLE: Record<string, string> = {
  'double-release-after-cancel': 'sim/examples/cancel-and-stop.json',
  'end-releases-early': 'test/fixtures/drive/end-early.json',
  'reaper-drops-queued-work': 'test/fixtures/drive/reaper-queued-work.json',
  'state-not-reset-on-start': 'sim/examples/backlog-fill.json',
  'oldest-two-per-batch': 'sim/examples/oldest-basic.json',
  'padding-ready': 'sim/examples/direct-basic.json',
  'removed-slot-returned': 'sim/examples/direct-basic.json',
  'destroys-busy-instance': 'sim/examples/direct-basic.json',
  'reload-carries-sequence-map': 'sim/examples/direct-basic.json',
  'stop-freezes-backlog': 'sim/examples/backlog-fill.json',
  'reload-abandons-backlog': 'sim/examples/backlog-fill.json',
  'expire-skips-cancelled': 'sim/examples/cancel-and-stop.json',
  'error-ends-sequence': 'sim/examples/direct-basic.json',
};

/** The zoo table of docs/drive.md: bug name → its verdict column. */
function documentedVerdicts(): Map<string, string> {
  const text = readFileSync(join(root, 'docs/drive.md'), 'utf8');
  const rows = [...text.matchAll(/^\| `([a-z-]+)` \| (found[^|]*|not observable[^|]*) \|/gm)];
  return new Map(rows.map((row) => [row[1]!, row[2]!.trim()]));
}

describe('the bug zoo through the wire', () => {
  it('every zoo bug is either found here or documented in docs/drive.md as not observable from a client', () => {
    const documented = documentedVerdicts();
    for (const bug of [...ZOO, ...LIFECYCLE_ZOO, ...HARD_ZOO]) {
      const verdict = documented.get(bug.name);
      expect(verdict, `docs/drive.md has no row for ${bug.name}`).toBeDefined();
      const found = FOUND[bug.name]?.oracles;
      if (found?.http !== undefined) expect(verdict).toBe('found');
      else {
        expect(NOT_OBSERVABLE[bug.name], `${bug.name} is neither found nor listed here`).toBeDefined();
        expect(verdict).toMatch(found?.grpc !== undefined ? /^not observable over HTTP; found over gRPC$/ : /^not observable/);
      }
    }
  });

  it.each(FOUND_RUNS)(
    'bug:%s is found over %s, and the real batcher passes the same run',
    async (bug, protocol, how) => {
      const spec = { ...(how.deadlineUs ? { deadlineUs: how.deadlineUs } : {}), ...(how.slackUs ? { slackUs: how.slackUs } : {}) };
      const buggy = await driveAgainstServe(join(root, how.scenario), { protocol, batcher: `bug:${bug}`, spec });
      expect(buggy.report.violations.map((v) => v.oracle)).toContain(how.oracles[protocol]);
      const real = await driveAgainstServe(join(root, how.scenario), { protocol, spec });
      expect(real.report.violations).toEqual([]);
    },
    60_000,
  );

  it.each(Object.entries(NOT_OBSERVABLE))(
    'bug:%s leaves no trace an HTTP client can see (%s)',
    async (bug, scenario) => {
      const { report } = await driveAgainstServe(join(root, scenario), { batcher: `bug:${bug}`, spec: { slackUs: 100_000 } });
      expect(report.violations).toEqual([]);
    },
    60_000,
  );
});
