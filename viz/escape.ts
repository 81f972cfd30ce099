import { correlationIdFromScenario, correlationKey, type ScenarioId } from '../src/core/ids.ts';
import type { CorridValue } from '../src/core/events.ts';

/**
 * Escaping for everything a trace can carry into SVG, HTML or inline script. Ids and messages are
 * user strings: `<script>…</script>` or `"><img onerror=…>` must come out as inert text.
 */

/**
 * Characters XML 1.0 forbids even as character references (C0 controls but tab/LF/CR, lone
 * surrogates, U+FFFE/U+FFFF), plus what would mislead a reader without breaking the markup: DEL
 * and C1 controls, and the bidirectional-text controls (U+061C, U+200E/F, U+202A–E, U+2066–9)
 * that can make a label read backwards or hide the text after it.
 */
const XML_INVALID = new RegExp(
  [
    String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]`,
    // Unpaired surrogates: a high one not followed by a low one, a low one not after a high one.
    String.raw`[\uD800-\uDBFF](?![\uDC00-\uDFFF])`,
    String.raw`(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`,
  ].join('|'),
  'g',
);

/** Makes a user string safe to put into an XML/HTML text node: forbidden and misleading characters become visible `\uXXXX`. */
export function cleanText(text: string): string {
  return text.replace(XML_INVALID, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for XML or HTML element content and double- or single-quoted attribute values. */
export function escapeMarkup(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators
 * become \u escapes, so no id can close the script element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How the pictures name a sequence: numbers bare, strings quoted (uint64 5 and "5" differ). */
export function sequenceLabel(id: ScenarioId | null): string {
  if (id === null) return 'padding';
  if (typeof id === 'number') return String(id);
  return cleanText(typeof id === 'string' ? JSON.stringify(id) : id.u64);
}

/** How the pictures show a CORRID value: the exact integer (a {u64}/{i64} as its digits) or the string quoted. */
export function corridLabel(corrid: CorridValue): string {
  if (typeof corrid === 'number') return String(corrid);
  return cleanText(typeof corrid === 'string' ? JSON.stringify(corrid) : 'u64' in corrid ? corrid.u64 : corrid.i64);
}

/** Identity of a sequence id (uint64 5 and string "5" differ); ids out of u64 range keep their JSON. */
export function sequenceKey(id: ScenarioId): string {
  try {
    return correlationKey(correlationIdFromScenario(id));
  } catch {
    return `x:${JSON.stringify(id)}`;
  }
}
