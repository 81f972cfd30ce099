/**
 * Which of seqsim's oracles (design §3) a client can run from outside, and why the others cannot:
 * reported with every `seqsim drive` run, so nothing is passed silently.
 */
export const CLIENT_ORACLES: readonly { readonly oracle: string; readonly checks: string }[] = [
  {
    oracle: 'outputs',
    checks:
      "every output equals the reference accumulator's for what the client sent: misrouting, reordering, a missed state reset or state leaking " +
      'between sequences all show as wrong values',
  },
  {
    oracle: 'errors',
    checks: "Triton's error code and message for what was sent (missing START, id 0, CORRID type, backlog timeout), and no error where Triton answers",
  },
  { oracle: 'response', checks: 'exactly one answer per request within the deadline: none is lost, hung or duplicated' },
  { oracle: 'liveness', checks: 'bounded waiting: no sequence waits longer than the deadline for its answers in total' },
  {
    oracle: 'slot-accounting',
    checks: 'the slot-leak probe: after the idle timeout, as many new sequences as the config has slots are all admitted and answered within the deadline',
  },
];

export const NOT_OBSERVABLE: readonly { readonly oracle: string; readonly why: string }[] = [
  { oracle: 'affinity', why: "which slot a request ran in is the server's secret; a wrong slot shows only as a wrong output (checked)" },
  { oracle: 'order', why: 'the order requests execute in inside the server; out-of-order execution shows only as wrong outputs (checked)' },
  { oracle: 'control-signals', why: 'the START/END/READY/CORRID values of each batch row never leave the server' },
  { oracle: 'batch-shape', why: 'batch rows and padding are inside the server; the statistics endpoint gives executed batch sizes (reported, not judged)' },
  {
    oracle: 'slot-accounting (during the run)',
    why: 'who holds which slot while the run goes on; only the end state is probed (and a starved backlog shows as waiting)',
  },
  { oracle: 'reaper-timing', why: 'when the reaper ran; the client only bounds it by the idle timeout ± the timing slack' },
  { oracle: 'lifecycle', why: "model loads, unloads and stops are the server's operator's, not a client's" },
];
