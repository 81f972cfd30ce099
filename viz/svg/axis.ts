import { axisBottom, scaleLinear } from 'd3';
import { unitForSpan } from '../units.ts';
import { px, setText, type DrawContext, type Group } from './context.ts';

/** The time axis in µs, ms or s (chosen for the span), with grid lines across the lanes; labelled with the trace's clock. */
export function drawAxis(parent: Group, ctx: DrawContext, clock: 'virtual' | 'real'): void {
  const { layout, view, theme } = ctx;
  const unit = unitForSpan(view.endUs - view.startUs);
  const scale = scaleLinear()
    .domain([view.startUs / unit.us, view.endUs / unit.us])
    .range([layout.plotLeft, layout.plotRight]);
  const count = Math.max(2, Math.floor((layout.plotRight - layout.plotLeft) / 110));
  const grid = parent.append('g').attr('class', 'grid');
  for (const value of scale.ticks(count)) {
    const x = px(scale(value));
    grid.append('line').attr('x1', x).attr('x2', x).attr('y1', layout.events.y).attr('y2', layout.axisY).attr('stroke', theme.grid).attr('stroke-width', 0.5);
  }
  const axis = parent
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${px(layout.axisY)})`)
    .attr('color', theme.text);
  axis.call(axisBottom(scale).ticks(count));
  const label = parent
    .append('text')
    .attr('class', 'axis-unit')
    .attr('x', px(layout.plotRight))
    .attr('y', px(layout.axisY + 34))
    .attr('text-anchor', 'end')
    .attr('fill', theme.muted)
    .attr('font-size', 11);
  setText(label, `${clock} time (${unit.name})`);
}
