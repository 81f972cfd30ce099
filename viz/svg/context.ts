import type { Selection } from 'd3';
import { cleanText } from '../escape.ts';
import type { Theme } from '../theme.ts';
import type { Timeline } from '../timeline.ts';
import type { TimelineView } from '../view.ts';
import type { Layout } from './layout.ts';

export type Group = Selection<SVGGElement, unknown, null, undefined>;
/** Any single-element d3 selection of an SVG element. */
export type Node<E extends SVGElement = SVGElement> = Selection<E, unknown, null, undefined>;

/** How many marks of a kind are drawn one by one before they are aggregated (readable at 10 and 10,000). */
export interface MarkBudgets {
  readonly ticks: number;
  readonly batches: number;
  readonly padding: number;
  readonly waits: number;
  readonly markers: number;
}

export const DEFAULT_BUDGETS: MarkBudgets = { ticks: 3000, batches: 3000, padding: 3000, waits: 1500, markers: 1500 };

export interface DrawContext {
  /** The whole timeline (indices in occupancies point into its arrays) and the part drawn. */
  readonly timeline: Timeline;
  readonly view: TimelineView;
  readonly layout: Layout;
  readonly theme: Theme;
  readonly budgets: MarkBudgets;
  /** x of a time, clamped to the plot. */
  x(us: number): number;
  /** µs per pixel, for merging marks closer than a pixel. */
  readonly usPerPx: number;
  /** Sequence keys a violation names: their bars are outlined in red. */
  readonly highlighted: ReadonlySet<string>;
  /** Trace event indices a violation names (its offending events). */
  readonly offending: ReadonlySet<number>;
  /** Lines explaining what was aggregated or left out. */
  readonly notes: string[];
}

/** Coordinates rounded to 0.01 px: smaller files, identical output. */
export function px(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The only way user text enters the picture: as a text node (the serializer escapes it), never as
 * an attribute, cleaned of characters XML cannot carry.
 */
export function appendTitle<E extends SVGElement>(node: Node<E>, text: string): void {
  node.append('title').text(cleanText(text));
}

export function setText<E extends SVGElement>(node: Node<E>, text: string): Node<E> {
  return node.text(cleanText(text));
}
