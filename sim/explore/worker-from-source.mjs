// Worker-thread entry when seqsim runs from its TypeScript sources (tests, development): compiles
// them through tsx in this thread. The compiled package (dist/) starts worker.js directly.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./worker.ts');

export default run;
