import { escapeMarkup } from '../escape.ts';

/** A tiny HTML builder: every text and attribute value goes through escapeMarkup. */

export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

export function attrs(values: Attrs): string {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeMarkup(String(value))}"`;
  }
  return out;
}

/** An element whose children are already-safe HTML strings. */
export function el(tag: string, attributes: Attrs, ...children: readonly string[]): string {
  return `<${tag}${attrs(attributes)}>${children.join('')}</${tag}>`;
}

/** A void element (meta, input): no children, no end tag. */
export function voidEl(tag: string, attributes: Attrs): string {
  return `<${tag}${attrs(attributes)}>`;
}

/** An element holding plain text (escaped). */
export function textEl(tag: string, attributes: Attrs, text: string): string {
  return el(tag, attributes, escapeMarkup(text));
}

export const esc = escapeMarkup;
