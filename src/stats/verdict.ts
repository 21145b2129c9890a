// Base-vs-head verdict in Chromium Pinpoint's vocabulary: regression / improvement / no change /
// inconclusive. Significance comes from the Mann–Whitney test; size from the Hodges–Lehmann shift
// and its 95 % CI, expressed relative to the base median.
import { median } from 'simple-statistics';
import { hodgesLehmann } from './hodges-lehmann.js';
import { mannWhitney } from './mann-whitney.js';
import { normalQuantile } from './normal.js';
import { assertFiniteSample, assertNonEmpty } from './validate.js';

export type VerdictState = 'regression' | 'improvement' | 'no change' | 'inconclusive';

export interface VerdictOptions {
  /** Significance level of the two-sided Mann–Whitney test. Default 0.01. */
  alpha: number;
  /** Smallest relative change, in percent, that counts. */
  thresholdPct: number;
  /** Smallest change in ms that counts; when set it replaces thresholdPct (converted with the base median). */
  thresholdMs?: number;
  /** Nominal p level of this look (sequential gate); default alpha. */
  pLevel?: number;
  /** Level of the Hodges–Lehmann interval (a repeated CI in the sequential gate); default 0.95. */
  ciLevel?: number;
}

export interface RelativeChange {
  /** 100 · HL shift / base median; positive = head slower. */
  pct: number;
  /** 95 % CI of pct (HL CI divided by the base median). */
  ciPct: [number, number];
  /** Two-sided Mann–Whitney p-value. */
  p: number;
  baseMedian: number;
  headMedian: number;
  /** Hodges–Lehmann shift head − base, in the samples' unit (ms). */
  shiftMs: number;
  /** level of the interval behind ciPct */
  ciLevel: number;
}

export interface Verdict extends RelativeChange {
  state: VerdictState;
  reason: string;
  /** Rough number of additional boots per side that would likely decide; null unless inconclusive
   *  (or when the estimate exceeds MAX_MORE_BOOTS: the change sits on the threshold). */
  moreBoots: number | null;
  /** the threshold applied, in percent of the base median (thresholdMs converted when given) */
  thresholdPct: number;
  /** the threshold as configured: '5 %' or '20 ms' */
  threshold: string;
}

export const DEFAULT_VERDICT_OPTIONS: VerdictOptions = { alpha: 0.01, thresholdPct: 3 };

/** '5 %' or '20 ms': the threshold as the user gave it. */
export function describeThreshold(options: Pick<VerdictOptions, 'thresholdPct' | 'thresholdMs'>): string {
  return options.thresholdMs !== undefined ? `${options.thresholdMs} ms` : `${options.thresholdPct} %`;
}

/** Below this many values on either side the gate does not try to decide. */
export const MIN_BOOTS_PER_SIDE = 3;

/** Estimates above this are reported as null: more boots will not realistically settle it. */
export const MAX_MORE_BOOTS = 1000;

/** Level of the interval behind ciPct. */
const CI_LEVEL = 0.95;

export function relativeChange(base: readonly number[], head: readonly number[], level = CI_LEVEL): RelativeChange {
  assertFiniteSample(base, 'relativeChange (base)');
  assertFiniteSample(head, 'relativeChange (head)');
  assertNonEmpty(base, 'relativeChange (base)');
  assertNonEmpty(head, 'relativeChange (head)');
  const baseMedian = median([...base]);
  if (!(baseMedian > 0)) {
    throw new RangeError(`relativeChange: base median must be positive to express a percentage, got ${baseMedian}`);
  }
  const { shift, ci } = hodgesLehmann(base, head, level);
  const toPct = (ms: number): number => (100 * ms) / baseMedian;
  return {
    pct: toPct(shift),
    ciPct: [toPct(ci[0]), toPct(ci[1])],
    p: mannWhitney(base, head).p,
    baseMedian,
    headMedian: median([...head]),
    shiftMs: shift,
    ciLevel: level,
  };
}

/**
 * Smallest per-side sample size at which the exact two-sided Mann–Whitney p-value can go below
 * alpha at all (complete separation gives p = 2 / C(2k, k)); 5 for alpha = 0.01.
 */
export function minBootsForAlpha(alpha: number): number {
  let k = 1;
  let choose = 2; // C(2k, k) for k = 1
  while (2 / choose >= alpha && k < 1000) {
    choose = (choose * (2 * k + 1) * (2 * k + 2)) / ((k + 1) * (k + 1));
    k++;
  }
  return k;
}

function formatPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}

function validateOptions(options: VerdictOptions): void {
  if (!(options.alpha > 0 && options.alpha < 1)) {
    throw new RangeError(`decide: alpha must be strictly between 0 and 1, got ${options.alpha}`);
  }
  if (!(options.thresholdPct > 0) || !Number.isFinite(options.thresholdPct)) {
    throw new RangeError(`decide: thresholdPct must be a positive finite number, got ${options.thresholdPct}`);
  }
  if (options.thresholdMs !== undefined && (!(options.thresholdMs > 0) || !Number.isFinite(options.thresholdMs))) {
    throw new RangeError(`decide: thresholdMs must be a positive finite number, got ${options.thresholdMs}`);
  }
  for (const key of ['pLevel', 'ciLevel'] as const) {
    const v = options[key];
    if (v !== undefined && !(v >= 0 && v < 1)) throw new RangeError(`decide: ${key} must be in [0, 1), got ${v}`);
  }
}

/**
 * Additional boots per side that would likely decide an inconclusive comparison, assuming the CI
 * keeps its centre and its half-width shrinks like 1/√n (n = the harmonic-mean sample size per side).
 * Centre inside the threshold band: the CI must shrink to fit inside it (→ no change). Centre at or
 * beyond a threshold: the change must become significant, i.e. the (1 − alpha) CI must clear zero
 * (→ regression or improvement).
 */
function estimateMoreBoots(
  change: RelativeChange,
  nBase: number,
  nHead: number,
  options: VerdictOptions,
): number | null {
  const nEff = 2 / (1 / nBase + 1 / nHead);
  const halfWidth = (change.ciPct[1] - change.ciPct[0]) / 2;
  const centre = (change.ciPct[0] + change.ciPct[1]) / 2;
  const room =
    Math.abs(centre) < options.thresholdPct
      ? options.thresholdPct - Math.abs(centre)
      : (Math.abs(centre) * normalQuantile(0.5 + change.ciLevel / 2)) /
        normalQuantile(1 - (options.pLevel || options.alpha) / 2);
  let needed = minBootsForAlpha(options.alpha);
  if (halfWidth > 0) {
    if (!(room > 0)) return null;
    needed = Math.max(needed, Math.ceil(nEff * (halfWidth / room) ** 2));
  }
  const more = Math.max(1, Math.ceil(needed - nEff));
  return more > MAX_MORE_BOOTS ? null : more;
}

/**
 * Verdict on head vs base boot times (same unit, e.g. ms). With t = thresholdPct and [lo, hi] = ciPct:
 *  - regression:  p < alpha, pct > 0 and hi ≥ t (a significant slowdown the data cannot bound below t);
 *  - improvement: p < alpha, pct < 0 and lo ≤ −t;
 *  - no change:   −t < lo and hi < t (any change is smaller than t);
 *  - inconclusive otherwise, or with fewer than MIN_BOOTS_PER_SIDE values on either side.
 * Regression asks hi ≥ t rather than lo ≥ t: for a true +t % change the CI's lower end is ≥ t only
 * about 2.5 % of the time, so requiring the whole CI above t would almost never catch a real t %
 * slowdown. Significance (p < alpha) is what guards against false alarms on identical images.
 */
export function decide(
  base: readonly number[],
  head: readonly number[],
  options: Partial<VerdictOptions> = {},
): Verdict {
  const opts: VerdictOptions = { ...DEFAULT_VERDICT_OPTIONS, ...options };
  validateOptions(opts);
  assertFiniteSample(base, 'decide (base)');
  assertFiniteSample(head, 'decide (head)');
  const threshold = describeThreshold(opts);
  const pLevel = opts.pLevel ?? opts.alpha;
  // A look that may not reject (no error left to spend) still reports its interval at 95 %.
  const ciLevel = Math.min(opts.ciLevel ?? CI_LEVEL, 1 - 1e-9) || CI_LEVEL;
  const thresholdPctFor = (baseMedian: number): number =>
    opts.thresholdMs !== undefined ? (100 * opts.thresholdMs) / baseMedian : opts.thresholdPct;

  // No percentage of a zero base median: an inconclusive verdict that says so, not a thrown error
  // that would cost the whole check.
  const baseMedian = base.length > 0 ? median([...base]) : NaN;
  if (base.length > 0 && !(baseMedian > 0)) {
    return {
      pct: NaN,
      ciPct: [NaN, NaN],
      p: NaN,
      baseMedian,
      headMedian: head.length > 0 ? median([...head]) : NaN,
      shiftMs: NaN,
      ciLevel,
      state: 'inconclusive',
      thresholdPct: opts.thresholdPct,
      threshold,
      moreBoots: null,
      reason: `the base median is ${baseMedian}: a change cannot be expressed as a share of it`,
    };
  }

  if (base.length < MIN_BOOTS_PER_SIDE || head.length < MIN_BOOTS_PER_SIDE) {
    const change: RelativeChange =
      base.length > 0 && head.length > 0
        ? relativeChange(base, head, ciLevel)
        : { pct: NaN, ciPct: [NaN, NaN], p: NaN, baseMedian: NaN, headMedian: NaN, shiftMs: NaN, ciLevel };
    if (base.length > 0 && head.length === 0) change.baseMedian = median([...base]);
    if (head.length > 0 && base.length === 0) change.headMedian = median([...head]);
    const need = Math.max(MIN_BOOTS_PER_SIDE, minBootsForAlpha(opts.alpha));
    return {
      ...change,
      state: 'inconclusive',
      thresholdPct: thresholdPctFor(change.baseMedian),
      threshold,
      reason: `too few successful boots (base ${base.length}, head ${head.length}; need at least ${MIN_BOOTS_PER_SIDE} per side, ${need} to reach p < ${opts.alpha})`,
      moreBoots: need - Math.min(base.length, head.length),
    };
  }

  const change = relativeChange(base, head, ciLevel);
  const t = thresholdPctFor(change.baseMedian);
  const tText = opts.thresholdMs !== undefined ? `${opts.thresholdMs} ms (${t.toFixed(1)} %)` : `${t} %`;
  const [lo, hi] = change.ciPct;
  const significant = change.p < pLevel;
  const ciText = Math.abs(ciLevel - CI_LEVEL) < 1e-9 ? '95 % CI' : `${(100 * ciLevel).toFixed(1)} % CI`;
  const pText = pLevel === opts.alpha ? '' : `, needs p < ${formatP(pLevel)} at this look`;
  const describe = `${formatPct(change.pct)} (${formatMs(change.shiftMs)}, ${ciText} ${formatPct(lo)} … ${formatPct(hi)}, p = ${formatP(change.p)}${pText}, n = ${base.length}/${head.length})`;
  const verdict = (state: VerdictState, reason: string, moreBoots: number | null = null): Verdict => ({
    ...change,
    state,
    moreBoots,
    reason,
    thresholdPct: t,
    threshold,
  });

  if (significant && change.pct > 0 && hi >= t) {
    const size = lo >= t ? `at least ${tText} slower` : `slower, possibly by ${tText} or more`;
    return verdict('regression', `head is ${size}: ${describe}`);
  }
  if (significant && change.pct < 0 && lo <= -t) {
    const size = hi <= -t ? `at least ${tText} faster` : `faster, possibly by ${tText} or more`;
    return verdict('improvement', `head is ${size}: ${describe}`);
  }
  if (lo > -t && hi < t) {
    return verdict('no change', `change is within ±${tText}: ${describe}`);
  }
  const moreBoots = estimateMoreBoots(change, base.length, head.length, { ...opts, thresholdPct: t });
  const why = significant
    ? `the change is significant but its CI does not settle its size`
    : `not significant at p < ${formatP(pLevel)} and the CI reaches past ±${tText}`;
  const hint =
    moreBoots === null
      ? '; the change sits on the threshold, more boots are unlikely to settle it'
      : `; about ${moreBoots} more boots per side would likely decide`;
  return verdict('inconclusive', `${why}: ${describe}${hint}`, moreBoots);
}

function formatMs(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms`;
}

/** Overall state: any regression → regression; else any inconclusive → inconclusive; else any
 *  improvement → improvement; else no change. An empty list is inconclusive: nothing was compared. */
export function combineVerdicts(states: VerdictState[]): VerdictState {
  if (states.length === 0) return 'inconclusive';
  if (states.includes('regression')) return 'regression';
  if (states.includes('inconclusive')) return 'inconclusive';
  if (states.includes('improvement')) return 'improvement';
  return 'no change';
}
