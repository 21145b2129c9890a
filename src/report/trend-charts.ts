// Trend charts of the nightly history: an SVG committed to the data branch (median line, 95 % CI
// band, change points marked) and a Mermaid line chart for the job summary. Pure string building.
import { mermaidText } from './mermaid.js';
import type { TrendPoint } from '../history/trend.js';
import type { ChangePoint } from '../stats/change-points.js';

export type { TrendPoint };

const xml = (text: string): string =>
  text
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
const day = (iso: string): string => iso.slice(0, 10);

/** A self-contained SVG line chart (no scripts, no external references). */
export function renderTrendSvg(
  title: string,
  points: readonly TrendPoint[],
  changePoints: readonly ChangePoint[] = [],
  size = { width: 900, height: 320 },
): string {
  const { width, height } = size;
  const m = { left: 64, right: 20, top: 36, bottom: 48 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`;
  const parts: string[] = [
    head,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${m.left}" y="22" font-size="14" font-weight="bold">${xml(title)}</text>`,
  ];
  if (points.length === 0) {
    parts.push(
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#666">no successful nightly run yet</text>`,
      '</svg>',
    );
    return parts.join('\n');
  }
  const values = points.flatMap((p) => [p.median, ...(p.ci95 ?? [])]).filter((v) => Number.isFinite(v));
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, hi * 0.01, 0.5);
  lo = Math.max(0, lo - pad);
  hi += pad;
  const x = (i: number): number => m.left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v: number): number => m.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const r = (v: number): string => v.toFixed(1);

  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${r(y(t))}" y2="${r(y(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${r(y(t) + 4)}" text-anchor="end" fill="#555">${fmt(t)}</text>`);
  }
  parts.push(
    `<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#555">median boot ms</text>`,
  );
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    if (i % labelEvery === 0 || i === points.length - 1) {
      parts.push(
        `<text x="${r(x(i))}" y="${height - m.bottom + 18}" text-anchor="middle" fill="#555">${xml(day(p.at))}</text>`,
      );
    }
  });

  const band = points
    .map((p, i) => ({ i, ci: p.ci95 }))
    .filter((b): b is { i: number; ci: [number, number] } => b.ci !== null);
  if (band.length > 1) {
    const upper = band.map((b) => `${r(x(b.i))},${r(y(b.ci[1]))}`);
    const lower = band.map((b) => `${r(x(b.i))},${r(y(b.ci[0]))}`).reverse();
    parts.push(
      `<polygon points="${[...upper, ...lower].join(' ')}" fill="#4e79a7" fill-opacity="0.15" stroke="none"/>`,
    );
  }
  for (const cp of changePoints) {
    if (cp.index < 0 || cp.index >= points.length) continue;
    const cx = r((x(cp.index - 1 >= 0 ? cp.index - 1 : cp.index) + x(cp.index)) / 2);
    const colour = cp.direction === 'regression' ? '#d62728' : '#2ca02c';
    const label = `${cp.shiftPct >= 0 ? '+' : ''}${cp.shiftPct.toFixed(1)} %`;
    parts.push(
      `<line x1="${cx}" x2="${cx}" y1="${m.top}" y2="${m.top + plotH}" stroke="${colour}" stroke-dasharray="4 3"/>`,
    );
    parts.push(`<text x="${cx}" y="${m.top - 4}" text-anchor="middle" fill="${colour}">${xml(label)}</text>`);
  }
  const line = points.map((p, i) => `${r(x(i))},${r(y(p.median))}`).join(' ');
  parts.push(`<polyline points="${line}" fill="none" stroke="#4e79a7" stroke-width="2"/>`);
  points.forEach((p, i) => {
    parts.push(
      `<circle cx="${r(x(i))}" cy="${r(y(p.median))}" r="2.5" fill="#4e79a7"><title>${xml(`${day(p.at)} ${p.commit.slice(0, 12)}: ${fmt(p.median)} ms`)}</title></circle>`,
    );
  });
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Runs shown in the job summary's chart: more do not fit its width. */
export const MERMAID_TREND_POINTS = 30;

/** A Mermaid xychart line of the latest medians, as a fenced block; null with no points. */
export function trendMermaid(title: string, points: readonly TrendPoint[]): string | null {
  const shown = points.slice(-MERMAID_TREND_POINTS);
  if (shown.length === 0) return null;
  const values = shown.map((p) => p.median);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, hi * 0.02, 1);
  const labels = shown.map((p) => `"${p.at.slice(5, 10)}"`);
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${mermaidText(title)}"`,
    `    x-axis [${labels.join(', ')}]`,
    `    y-axis "median boot ms" ${Math.max(0, Math.floor(lo - pad))} --> ${Math.ceil(hi + pad)}`,
    `    line [${values.map((v) => v.toFixed(1)).join(', ')}]`,
    '```',
  ].join('\n');
}
