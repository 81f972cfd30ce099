import type { CorridValue } from '../../src/core/events.ts';
import type { CorridControl } from '../../src/config/types.ts';
import type { ScenarioId } from '../../src/core/ids.ts';

/**
 * What the CORRID tensor must carry for a request, derived here from the spec and not from the
 * batcher's conversion (an oracle sharing the batcher's code would share its bugs). Triton writes
 * the uint64 id's 8 little-endian bytes into the tensor's buffer (spec §1.2): a 32-bit type keeps
 * the first 4 of them, INT64 reads all 8 as signed, TYPE_STRING carries the id's decimal text.
 * Values are compared exactly, as text: "u:<digits>" for integers, "s:<text>" for strings.
 */
export function expectedCorrid(control: CorridControl | undefined, id: ScenarioId): string {
  if (typeof id === 'string') return control === undefined || control.dataType === 'TYPE_STRING' ? `s:${id}` : 'u:0';
  const bytes = new DataView(new ArrayBuffer(8));
  bytes.setBigUint64(0, BigInt(typeof id === 'number' ? id : id.u64), true);
  switch (control?.dataType) {
    case 'TYPE_UINT32':
      return `u:${bytes.getUint32(0, true)}`;
    case 'TYPE_INT32':
      return `u:${bytes.getInt32(0, true)}`;
    case 'TYPE_INT64':
      return `u:${bytes.getBigInt64(0, true)}`;
    case 'TYPE_STRING':
      return `s:${bytes.getBigUint64(0, true)}`;
    default:
      return `u:${bytes.getBigUint64(0, true)}`;
  }
}

const TWO_TO_32 = 2 ** 32;

/**
 * Whether a traced CORRID equals `expectedCorrid(control, id)`, as `tracedCorrid(corrid) ===
 * expectedCorrid(control, id)` says, without making either text for the common row: a
 * non-negative safe integer id carried as a safe integer (its low 32 bits, those bits signed, or
 * itself: below 2^53 the int64 and uint64 readings agree). Anything else compares the texts.
 */
export function carriesExpectedCorrid(control: CorridControl | undefined, id: ScenarioId, corrid: CorridValue): boolean {
  if (typeof id === 'number' && typeof corrid === 'number' && id >= 0 && Number.isSafeInteger(id) && Number.isSafeInteger(corrid)) {
    switch (control?.dataType) {
      case 'TYPE_UINT32':
        return corrid === id % TWO_TO_32;
      case 'TYPE_INT32':
        return corrid === ((id % TWO_TO_32) | 0);
      case 'TYPE_STRING':
        return false;
      default:
        return corrid === id;
    }
  }
  return tracedCorrid(corrid) === expectedCorrid(control, id);
}

/** Whether a padding row's traced CORRID is `expected` (expectedPaddingCorrid), without its text for a number. */
export function carriesPaddingCorrid(expected: string, corrid: CorridValue): boolean {
  if (typeof corrid === 'number') return expected === 'u:0' && corrid === 0;
  return tracedCorrid(corrid) === expected;
}

/** CORRID on a padding row (spec §1.2 table): uint64 zero, or the empty string for TYPE_STRING. */
export function expectedPaddingCorrid(control: CorridControl | undefined): string {
  return control?.dataType === 'TYPE_STRING' ? 's:' : 'u:0';
}

/**
 * A trace's CORRID as exact text in the same form. A JSON number beyond 2^53 has already lost
 * bits when it was parsed, so it is shown as it reads and never equals an exact expectation.
 */
export function tracedCorrid(corrid: CorridValue): string {
  if (typeof corrid === 'string') return `s:${corrid}`;
  if (typeof corrid === 'number') return Number.isSafeInteger(corrid) ? `u:${corrid}` : `u:~${corrid}`;
  return `u:${'u64' in corrid ? corrid.u64 : corrid.i64}`;
}

/** How a message shows an exact CORRID text: the decimal integer, or the string quoted. */
export function showCorrid(text: string): string {
  return text.startsWith('s:') ? JSON.stringify(text.slice(2)) : text.slice(2);
}
