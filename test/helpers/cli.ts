import { main } from '../../cli/main.ts';
import type { CliIO } from '../../cli/command.ts';

/** Runs `seqsim <argv…>` in-process with captured output (no TTY), as the CLI tests need it. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}
