import { renderTimeline } from '../viz/svg.ts';
import { synthesizeTrace } from '../viz/synthetic.ts';
import { buildTimeline } from '../viz/timeline.ts';

/** Sizes `seqsim bench` reports, with the targets of issue 4: 10k requests in < 2 s and < 5 MB. */
export const VIZ_BENCH_SIZES: readonly { readonly label: string; readonly requests: number }[] = [
  { label: '1k', requests: 1_000 },
  { label: '10k', requests: 10_000 },
];

/**
 * SVG render time (trace events → timeline model → SVG text, ms) and SVG size (bytes) for
 * synthetic Direct traces of 1k and 10k requests. A small warm-up render runs first so module
 * loading and JIT warm-up are not counted.
 */
export async function benchViz(): Promise<Record<string, number>> {
  renderTimeline(buildTimeline(synthesizeTrace({ requests: 50 })));
  const results: Record<string, number> = {};
  for (const { label, requests } of VIZ_BENCH_SIZES) {
    const events = synthesizeTrace({ requests });
    const started = performance.now();
    const { svg } = renderTimeline(buildTimeline(events));
    results[`viz_svg_${label}_render_ms`] = Math.round((performance.now() - started) * 10) / 10;
    results[`viz_svg_${label}_bytes`] = Buffer.byteLength(svg);
  }
  return results;
}
