/**
 * The three ways a command can refuse to run, each reported as one line on stderr with exit 2
 * (design §5). They live at the bottom floor so every layer can throw them without importing a
 * layer above it.
 */

/** Bad user input: names the file, the field (JSON path) and the problem. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'InputError';
  }
}

/** Bad command-line usage (not a file problem). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The machine cannot do what was asked (an execution provider that is not installed, a model file
 * the runtime cannot load): the message names the fix.
 */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}
