// Mermaid `xychart-beta` charts that GitHub renders inline in a comment: per subject, the sorted
// boot times of each side (an empirical quantile plot), so a shift, a long tail or a bimodal head
// shows at a glance. xychart-beta has no legend, so the title says which series is which.
import { stripControl } from './escape.js';

/** Most points per series: more makes the bars unreadable in a comment's width. */
export const MAX_CHART_POINTS = 20;

/**
 * Text for a quoted xychart string: Mermaid has no escape for `"` inside one, and backticks, `%`
 * (directives), brackets and line breaks could break the chart or the fence, so anything outside a
 * plain set of characters becomes `_`.
 */
export function mermaidText(text: string, max = 60): string {
  const plain = stripControl(text)
    .replace(/\s+/g, ' ')
    .replace(/[^\p{L}\p{N} ._:/+(),-]/gu, '_')
    .trim();
  return plain.length <= max ? plain : `${plain.slice(0, max - 1)}…`;
}

/** Value at quantile q (0…1) of an ascending sample, linear interpolation between order statistics. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface SortedSeries {
  /** x-axis categories */
  labels: string[];
  series: number[][];
}

/**
 * Series of equal length from samples of any sizes: the sorted values themselves when every sample
 * has the same size n ≤ MAX_CHART_POINTS (x = rank 1…n, as text), otherwise MAX_CHART_POINTS evenly spaced
 * quantiles (x = percentile). Empty samples give empty series.
 */
export function sortedSeries(samples: readonly (readonly number[])[]): SortedSeries {
  const sorted = samples.map((s) => [...s].sort((a, b) => a - b));
  const sizes = new Set(sorted.map((s) => s.length));
  const n = sorted[0]?.length ?? 0;
  if (sizes.size === 1 && n <= MAX_CHART_POINTS) {
    return { labels: sorted[0]!.map((_, i) => String(i + 1)), series: sorted };
  }
  const k = Math.min(MAX_CHART_POINTS, Math.max(...sorted.map((s) => s.length)));
  const qs = Array.from({ length: k }, (_, i) => (k === 1 ? 0.5 : i / (k - 1)));
  return {
    labels: qs.map((q) => `p${Math.round(q * 100)}`),
    series: sorted.map((s) => (s.length === 0 ? [] : qs.map((q) => quantile(s, q)))),
  };
}

/** A y-axis range with some room around the data, on round numbers. */
function yRange(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, hi * 0.02, 1);
  const step = 10 ** Math.max(0, Math.floor(Math.log10(pad)));
  return [Math.max(0, Math.floor((lo - pad) / step) * step), Math.ceil((hi + pad) / step) * step];
}

const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/**
 * A chart of the sorted boot times of base (bars) and head (line); head may be omitted (a plain
 * measure run). Returns null when there is nothing to draw. The result is the fenced block.
 */
export function bootTimesChart(title: string, base: readonly number[], head: readonly number[] | null): string | null {
  const samples = head ? [base, head] : [base];
  if (samples.some((s) => s.length === 0)) return null;
  const { labels, series } = sortedSeries(samples);
  const [lo, hi] = yRange(series.flat());
  const lines = [
    'xychart-beta',
    `    title "${mermaidText(title)}"`,
    `    x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `    y-axis "ms" ${num(lo)} --> ${num(hi)}`,
    `    bar [${series[0]!.map(num).join(', ')}]`,
  ];
  if (head) lines.push(`    line [${series[1]!.map(num).join(', ')}]`);
  return ['```mermaid', ...lines, '```'].join('\n');
}
