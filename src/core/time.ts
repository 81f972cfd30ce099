/** A virtual-clock time for people, in the unit that reads best for that value (µs, ms or s). */
export function formatUs(us: number): string {
  const magnitude = Math.abs(us);
  if (magnitude < 1_000) return `${us} µs`;
  if (magnitude < 1_000_000) return `${trim(us / 1_000)} ms`;
  return `${trim(us / 1_000_000)} s`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(3)));
}
