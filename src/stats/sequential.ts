// Group-sequential boundaries (Lan–DeMets alpha spending) for a test looked at several times as
// boots accumulate. The standardized rank statistic at looks with information t_1 < … < t_K is
// asymptotically a Brownian motion observed at those times (Jennison & Turnbull 2000, ch. 3 and 13),
// so the two-sided boundaries ±c_k follow from the recursive numerical integration of Armitage,
// McPherson & Rowe (1969): P(first |Z| ≥ c at look k under H0) = α(t_k) − α(t_{k−1}).
// Each c_k is returned as a nominal two-sided p level 2·(1 − Φ(c_k)) to compare the look's
// Mann–Whitney p with; the same constants for a total γ give repeated confidence intervals.
import { normalCdf, normalQuantile } from './normal.js';
import { decide, DEFAULT_VERDICT_OPTIONS, type Verdict, type VerdictOptions } from './verdict.js';

export type SpendingFunction = 'pocock' | 'obrien-fleming';

/** Total two-sided error spent by information fraction t ∈ (0, 1]. */
export function spentAlpha(alpha: number, t: number, spending: SpendingFunction): number {
  if (t >= 1) return alpha;
  if (t <= 0) return 0;
  if (spending === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * t);
  return 2 * (1 - normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(t)));
}

const GRID = 241;
const upperTail = (z: number): number => normalCdf(-z);
const density = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** Trapezoid weights on a uniform grid of `n` points over [lo, hi]. */
function grid(lo: number, hi: number, n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const h = (hi - lo) / (n - 1);
  for (let i = 0; i < n; i++) {
    x[i] = lo + i * h;
    w[i] = i === 0 || i === n - 1 ? h / 2 : h;
  }
  return { x, w };
}

const cache = new Map<string, number[]>();

/**
 * Nominal two-sided p levels, one per look, for looks at information fractions `fractions`
 * (increasing, in (0, 1]; the last is 1 when the look is the final one), total error `alpha`.
 * A look whose share of alpha is zero gets level 0 (it can never reject).
 */
export function nominalLevels(
  fractions: readonly number[],
  alpha: number,
  spending: SpendingFunction = 'pocock',
): number[] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`nominalLevels: alpha must be in (0, 1), got ${alpha}`);
  fractions.forEach((t, i) => {
    if (!(t > 0 && t <= 1) || (i > 0 && !(t > fractions[i - 1]!))) {
      throw new RangeError(
        `nominalLevels: information fractions must increase within (0, 1], got ${fractions.join(', ')}`,
      );
    }
  });
  const key = `${alpha}|${spending}|${fractions.map((t) => t.toFixed(6)).join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const levels: number[] = [];
  // Sub-density of S_k = Z_k·√t_k on the continuation region, on a grid.
  let points: { x: Float64Array; w: Float64Array } | null = null;
  let values: Float64Array | null = null;
  let spentBefore = 0;
  let tBefore = 0;
  for (const t of fractions) {
    const increment = spentAlpha(alpha, t, spending) - spentBefore;
    const sd = Math.sqrt(t - tBefore);
    let c: number;
    if (points === null || values === null) {
      c = increment > 0 ? normalQuantile(1 - increment / 2) : Infinity;
    } else {
      const px = points.x;
      const pw = points.w;
      const pv = values;
      const crossing = (z: number): number => {
        const b = z * Math.sqrt(t);
        let sum = 0;
        for (let i = 0; i < px.length; i++)
          sum += pw[i]! * pv[i]! * (upperTail((b - px[i]!) / sd) + normalCdf((-b - px[i]!) / sd));
        return sum;
      };
      if (!(increment > 1e-12)) {
        c = Infinity;
      } else {
        let lo = 0;
        let hi = 40;
        for (let step = 0; step < 60; step++) {
          const mid = (lo + hi) / 2;
          if (crossing(mid) > increment) lo = mid;
          else hi = mid;
        }
        c = hi;
      }
    }
    // The first look's level is its share of alpha exactly (no rounding through c).
    levels.push(!Number.isFinite(c) ? 0 : points === null ? increment : 2 * upperTail(c));
    // Continuation sub-density at this look, for the next one.
    const bound = Number.isFinite(c) ? c * Math.sqrt(t) : 10 * Math.sqrt(t);
    const next = grid(-bound, bound, GRID);
    const nextValues = new Float64Array(GRID);
    for (let j = 0; j < GRID; j++) {
      if (points === null || values === null) {
        nextValues[j] = density(next.x[j]! / sd) / sd;
      } else {
        let sum = 0;
        for (let i = 0; i < points.x.length; i++)
          sum += points.w[i]! * values[i]! * density((next.x[j]! - points.x[i]!) / sd);
        nextValues[j] = sum / sd;
      }
    }
    points = next;
    values = nextValues;
    spentBefore += increment > 0 ? increment : 0;
    tBefore = t;
  }
  cache.set(key, levels);
  return levels;
}

/** Where the gate looks and how much it may boot. */
export interface SequentialPlan {
  /** successful boots per side at each look so far, the current one last */
  looks: readonly number[];
  /** the most boots per side the gate will take (max-runs) */
  maxPerSide: number;
  /** true when no further boots will follow this look (cap reached or boots cut short) */
  final: boolean;
}

/** Error spent by the "no change" side: repeated 95 % confidence intervals. */
export const INTERVAL_ERROR = 0.05;

/**
 * The nominal levels of the current (last) look: `p` for the Mann–Whitney p-value (total `alpha`
 * over all looks) and `ciLevel` for the Hodges–Lehmann interval (a repeated confidence interval,
 * simultaneous coverage ≥ 95 % over all looks). A single final look gives p = alpha and 95 %.
 */
export function lookLevels(
  plan: SequentialPlan,
  alpha: number,
  spending: SpendingFunction = 'pocock',
): { p: number; ciLevel: number; look: number } {
  if (plan.looks.length === 0) throw new RangeError('lookLevels: no look yet');
  if (!(plan.maxPerSide > 0)) throw new RangeError(`lookLevels: maxPerSide must be positive, got ${plan.maxPerSide}`);
  // Looks that saw no new boots (failures) carry no information: keep the increasing ones.
  const fractions: number[] = [];
  for (const n of plan.looks) {
    const t = Math.min(1, n / plan.maxPerSide);
    if (t > 0 && (fractions.length === 0 || t > fractions[fractions.length - 1]!)) fractions.push(t);
  }
  if (fractions.length === 0) return { p: 0, ciLevel: 0, look: plan.looks.length };
  // The last look spends what is left.
  if (plan.final) fractions[fractions.length - 1] = 1;
  const p = nominalLevels(fractions, alpha, spending).at(-1)!;
  const ciError = nominalLevels(fractions, INTERVAL_ERROR, spending).at(-1)!;
  return { p, ciLevel: Math.max(0, 1 - ciError), look: plan.looks.length };
}

/**
 * The adaptive gate on numbers alone (for tests and the accuracy bench): draws `runs` pairs, then
 * `step` more at each look while the verdict is inconclusive, up to `maxRuns` per side. The engine
 * does the same with real boots (src/engine/adaptive.ts).
 */
export function sequentialGate(
  nextPair: () => [base: number, head: number],
  design: { runs: number; maxRuns: number; step: number },
  options: Partial<VerdictOptions> = {},
): { verdict: Verdict; perSide: number; looks: number[] } {
  const alpha = options.alpha ?? DEFAULT_VERDICT_OPTIONS.alpha;
  const maxPerSide = Math.max(design.runs, design.maxRuns);
  const base: number[] = [];
  const head: number[] = [];
  const looks: number[] = [];
  let want = design.runs;
  for (;;) {
    while (base.length < want) {
      const [b, h] = nextPair();
      base.push(b);
      head.push(h);
    }
    looks.push(base.length);
    const final = base.length >= maxPerSide;
    const { p, ciLevel } = lookLevels({ looks, maxPerSide, final }, alpha);
    const verdict = decide(base, head, { ...options, pLevel: p, ciLevel });
    if (final || verdict.state !== 'inconclusive') return { verdict, perSide: base.length, looks };
    want = Math.min(maxPerSide, base.length + design.step);
  }
}
