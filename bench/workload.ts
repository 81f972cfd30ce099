/**
 * The benchmark workload (issue: 100k requests on a Direct model with 2 instances × 8 slots, random
 * gaps): `concurrent` sync sequences that all start in the first millisecond, each with
 * totalRequests / concurrent steps. With more sequences than the 16 slots, most wait in the backlog.
 */
export function benchScenarioJson(concurrent: number, totalRequests: number): Record<string, unknown> {
  const stepsPerSequence = Math.max(1, Math.floor(totalRequests / concurrent));
  const sequences = [];
  for (let s = 0; s < concurrent; s++) {
    const steps = [];
    for (let k = 0; k < stepsPerSequence; k++) {
      steps.push({
        value: (k % 7) + 1,
        ...(k === 0 ? { start: true } : { gap_us: 100 + ((s * 31 + k * 17) % 900) }),
        ...(k === stepsPerSequence - 1 ? { end: true } : {}),
      });
    }
    sequences.push({ id: s + 1, start_us: s % 1000, steps });
  }
  return {
    name: `bench-${concurrent}`,
    model: {
      name: 'bench_direct',
      max_batch_size: 8,
      instance_group: [{ count: 2, kind: 'KIND_CPU' }],
      // Long enough that no sequence is reaped while it waits in a long backlog, and below
      // 2^31-1 so that @sinonjs/fake-timers (which caps delays there, like Node) can drive it.
      sequence_batching: { max_sequence_idle_microseconds: 2_000_000_000, direct: {} },
    },
    executor: { latency_us: { min: 500, max: 1500 } },
    transport: { latency_us: { min: 20, max: 200 } },
    sequences,
  };
}
