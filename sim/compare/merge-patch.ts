/** A JSON object (not an array, not null): the only kind of value a merge patch merges into. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON Merge Patch (RFC 7396, section 2): an object patch merges key by key, `null` deletes a key,
 * anything else (arrays included) replaces the target. Pure: neither argument is modified.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else {
      const current = Object.hasOwn(result, key) ? result[key] : undefined;
      // defineProperty, not assignment: a "__proto__" key in a patch file stays a plain key.
      Object.defineProperty(result, key, { value: applyMergePatch(current, value), enumerable: true, writable: true, configurable: true });
    }
  }
  return result;
}
