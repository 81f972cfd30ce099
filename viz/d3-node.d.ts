/** d3-node 4 ships no types; this is the part seqsim uses (see viz/README.md, "d3-node notes"). */
declare module 'd3-node' {
  import type * as d3 from 'd3';

  export interface D3NodeOptions {
    readonly selector?: string;
    readonly container?: string;
    readonly styles?: string;
    readonly d3Module?: typeof d3;
  }

  export class D3Node {
    constructor(options?: D3NodeOptions);
    readonly d3: typeof d3;
    readonly document: Document;
    readonly window: Window & typeof globalThis;
    createSVG(width?: number, height?: number, attrs?: Readonly<Record<string, string | number>>): d3.Selection<SVGSVGElement, unknown, null, undefined>;
    svgString(): string;
    html(): string;
  }
}
