/** Where a command writes; tests pass buffers, the binary passes process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars), false in CI and tests. */
  readonly interactive: boolean;
}
