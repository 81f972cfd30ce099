import type { Scenario } from '../../src/scenario/types.ts';

/** The environment variables a scenario's `test_hooks` stand for, as the real server must be started with them. */
export function testHookEnvironment(scenario: Scenario): Record<string, string> {
  const hooks = scenario.testHooks;
  if (hooks === undefined) return {};
  return {
    TRITONSERVER_DELAY_SCHEDULER: String(hooks.delaySchedulerRequests),
    ...(hooks.backlogDelaySchedulerRequests > 0 ? { TRITONSERVER_BACKLOG_DELAY_SCHEDULER: String(hooks.backlogDelaySchedulerRequests) } : {}),
  };
}

/** drive's note for a scenario with test hooks: a client cannot set a server's environment. */
export function testHookNote(scenario: Scenario): string | undefined {
  const env = Object.entries(testHookEnvironment(scenario));
  if (env.length === 0) return undefined;
  return (
    `the scenario's test_hooks are the server's environment: start it with ${env.map(([k, v]) => `${k}=${v}`).join(' ')} ` +
    '(a client cannot set them; without them Triton batches by timing)'
  );
}
