// Change points in a nightly series, the way Perfherder finds alerts: at every point, compare the
// window of runs before it with the window from it on, and keep the points where the level shifts
// both significantly and by more than the threshold. Perfherder uses a t-test on 12/12 runs; here a
// Mann–Whitney test (one slow night does not move it) and the shift of the medians.
import { mean, median, variance } from 'simple-statistics';
import { mannWhitney } from './mann-whitney.js';

export interface ChangePointOptions {
  /** runs on each side of a candidate point; 5 is the smallest for which p can reach 0.01 */
  window: number;
  /** significance level of the two-sided Mann–Whitney test */
  alpha: number;
  /** smallest relative shift of the medians, in percent */
  minShiftPct: number;
}

export const DEFAULT_CHANGE_POINT_OPTIONS: ChangePointOptions = { window: 5, alpha: 0.01, minShiftPct: 5 };

export interface ChangePoint {
  /** the first run of the new level */
  index: number;
  beforeMedian: number;
  afterMedian: number;
  /** 100 · (after − before) / before; positive = slower */
  shiftPct: number;
  p: number;
  /** Welch's t of the two windows: breaks ties of p, which saturates once the windows separate */
  t: number;
  direction: 'regression' | 'improvement';
}

function validate(values: readonly number[], o: ChangePointOptions): void {
  if (!Number.isInteger(o.window) || o.window < 2)
    throw new RangeError(`change points: window must be an integer ≥ 2, got ${o.window}`);
  if (!(o.alpha > 0 && o.alpha < 1)) throw new RangeError(`change points: alpha must be in (0, 1), got ${o.alpha}`);
  if (!(o.minShiftPct >= 0)) throw new RangeError(`change points: minShiftPct must be ≥ 0, got ${o.minShiftPct}`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`change points: value ${bad} is not a finite number (${values[bad]})`);
}

/** The before/after comparison at `index` (needs `window` runs on both sides). */
export function compareWindows(
  values: readonly number[],
  index: number,
  window: number,
): Omit<ChangePoint, 'direction'> {
  const before = values.slice(index - window, index);
  const after = values.slice(index, index + window);
  const beforeMedian = median(before);
  const afterMedian = median(after);
  const shiftPct = beforeMedian > 0 ? (100 * (afterMedian - beforeMedian)) / beforeMedian : 0;
  const spread = Math.sqrt(variance(before) / before.length + variance(after) / after.length);
  const diff = mean(after) - mean(before);
  const t = spread > 0 ? diff / spread : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  return { index, beforeMedian, afterMedian, shiftPct, p: mannWhitney(before, after).p, t };
}

/**
 * Every change point of the series, oldest first. Neighbouring candidates (a step is seen from
 * several positions) are reduced to the strongest one within a window: smallest p, then the
 * largest |t| (the exact p is the same for every fully separated pair of windows, while t is
 * largest where the windows split exactly at the step). A point needs `window` runs after it, so a
 * new level is reported `window` runs late.
 */
export function detectChangePoints(
  values: readonly number[],
  options: Partial<ChangePointOptions> = {},
): ChangePoint[] {
  const o: ChangePointOptions = { ...DEFAULT_CHANGE_POINT_OPTIONS, ...options };
  validate(values, o);
  const w = o.window;
  const candidates: ChangePoint[] = [];
  for (let i = w; i + w <= values.length; i++) {
    const c = compareWindows(values, i, w);
    if (c.p < o.alpha && Math.abs(c.shiftPct) >= o.minShiftPct) {
      candidates.push({ ...c, direction: c.shiftPct > 0 ? 'regression' : 'improvement' });
    }
  }
  const stronger = (a: ChangePoint, b: ChangePoint): boolean =>
    a.p < b.p || (a.p === b.p && Math.abs(a.t) > Math.abs(b.t));
  const kept: ChangePoint[] = [];
  for (const c of candidates) {
    const last = kept.at(-1);
    if (last && c.index - last.index < w && c.direction === last.direction) {
      if (stronger(c, last)) kept[kept.length - 1] = c;
    } else {
      kept.push(c);
    }
  }
  return kept;
}

export interface SustainedRegression extends ChangePoint {
  /** median of the latest `window` runs */
  currentMedian: number;
  /** 100 · (current − before) / before */
  currentShiftPct: number;
}

/**
 * A regression that still holds: the latest change point is a regression and the latest `window`
 * runs are still at least minShiftPct slower than the level before it. Null otherwise (no change
 * point, the latest one is an improvement, or the level came back).
 */
export function sustainedRegression(
  values: readonly number[],
  points: readonly ChangePoint[],
  options: Partial<ChangePointOptions> = {},
): SustainedRegression | null {
  const o: ChangePointOptions = { ...DEFAULT_CHANGE_POINT_OPTIONS, ...options };
  const last = points.at(-1);
  if (!last || last.direction !== 'regression' || values.length < o.window) return null;
  const currentMedian = median(values.slice(-o.window));
  const currentShiftPct = (100 * (currentMedian - last.beforeMedian)) / last.beforeMedian;
  if (currentShiftPct < o.minShiftPct) return null;
  return { ...last, currentMedian, currentShiftPct };
}
