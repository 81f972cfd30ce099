/** Nearest-rank percentile of ascending values (0 for none): live figures, hold times, bench medians. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The nearest-rank percentile of values in any order; NaN for none (a bench figure never measured). */
export function percentileOf(values: readonly number[], fraction: number): number {
  return values.length === 0
    ? Number.NaN
    : percentile(
        [...values].sort((a, b) => a - b),
        fraction,
      );
}
