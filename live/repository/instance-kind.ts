/**
 * `--cpu`: rewrites every KIND_GPU instance group of a config (Triton's JSON form, counts filled
 * in) as a KIND_CPU group with the number of instances seqsim simulates for it (`count` on each
 * GPU in `gpus`, else on one), so that a Triton without GPUs loads the model with the same
 * instances. Says what it changed in `notes`.
 */
export function cpuInstanceGroups(config: Record<string, unknown>, notes: string[]): void {
  const groups = config['instance_group'];
  if (!Array.isArray(groups)) return;
  config['instance_group'] = groups.map((group: Record<string, unknown>) => {
    if (group['kind'] !== 'KIND_GPU') return group;
    const gpus = Array.isArray(group['gpus']) ? group['gpus'].length : 0;
    const count = Number(group['count']) * Math.max(1, gpus);
    const { gpus: _gpus, ...rest } = group;
    notes.push(
      `instance group${group['name'] ? ` '${String(group['name'])}'` : ''} KIND_GPU × ${String(group['count'])}${gpus > 1 ? ` on ${gpus} GPUs` : ''} ` +
        `is written as KIND_CPU × ${count} (--cpu): the same instances, on a server without GPUs`,
    );
    return { ...rest, count, kind: 'KIND_CPU' };
  });
}
