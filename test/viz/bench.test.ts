import { describe, expect, it } from 'vitest';
import { benchViz } from '../../bench/viz-bench.ts';

describe('benchViz', () => {
  it('reports SVG render time and size for 1k and 10k requests, within the targets', async () => {
    const results = await benchViz();
    expect(Object.keys(results)).toEqual(['viz_svg_1k_render_ms', 'viz_svg_1k_bytes', 'viz_svg_10k_render_ms', 'viz_svg_10k_bytes']);
    expect(results['viz_svg_10k_bytes']).toBeLessThan(5 * 1024 * 1024);
    // The target is < 2 s; the bound here leaves room for a slow, shared CI machine.
    expect(results['viz_svg_10k_render_ms']).toBeLessThan(10_000);
  });
});
