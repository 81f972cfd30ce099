import { D3Node } from 'd3-node';
import { expect } from 'vitest';

const window = new D3Node().window;

/** Parses an SVG as XML (strict: a stray `<` or `&nbsp;` fails) and returns its document. */
export function parseSvg(svg: string): Document {
  const doc = new window.DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror').length, 'SVG is well-formed XML').toBe(0);
  return doc;
}

export function parseHtml(html: string): Document {
  return new window.DOMParser().parseFromString(html, 'text/html');
}

export function count(doc: Document | Element, selector: string): number {
  return doc.querySelectorAll(selector).length;
}

/** No element an attacker could run: scripts, images, iframes, foreignObject; no on* attribute anywhere. */
export function expectInert(root: Document | Element, allowedScripts = 0): void {
  expect(root.querySelectorAll('script:not([type="application/json"])').length).toBe(allowedScripts);
  for (const tag of ['img', 'iframe', 'foreignObject', 'object', 'embed']) expect(root.getElementsByTagName(tag).length, tag).toBe(0);
  for (const element of Array.from(root.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes))
      expect(attribute.name.toLowerCase().startsWith('on'), `${element.tagName} ${attribute.name}`).toBe(false);
  }
}
