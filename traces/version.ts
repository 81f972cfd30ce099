import { packagePath } from '../src/core/package-path.ts';
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };

/** The package version (`seqsim --version`). */
export const SEQSIM_VERSION = packageJson.version;
/** `tool` in every trace header. */
export const TOOL_VERSION = `seqsim ${SEQSIM_VERSION}`;
export const TRACE_FORMAT = 'seqsim-trace';
export const TRACE_VERSION = 1;
