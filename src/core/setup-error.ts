/**
 * The machine cannot do what was asked (an execution provider that is not installed, a model file
 * the runtime cannot load): bad input in the CLI's sense — one line on stderr naming the fix, exit 2.
 */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}
