/** Named figures of one `seqsim bench` run (`--json` prints them as one object; NaN prints as null). */
export type Figures = Record<string, number>;

/** One part of the benchmark: it adds named figures and returns the lines it prints. */
export interface BenchSection {
  readonly title: string;
  /** `progress` writes a line on stderr while a long section runs. */
  run(figures: Figures, progress: (line: string) => void): Promise<string> | string;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A figure's JSON key part from a name such as a bug's: `double-release` → `double_release`. */
export function keyOf(name: string): string {
  return name.replace(/-/g, '_');
}
