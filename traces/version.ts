import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** `tool` in every trace header. */
export const TOOL_VERSION = `seqsim ${packageJson.version}`;
export const TRACE_FORMAT = 'seqsim-trace';
export const TRACE_VERSION = 1;
