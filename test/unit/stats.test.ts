// Statistics behind the verdict, checked against answers known independently of the code under test:
// hand derivations, brute-force enumeration of permutation distributions, R's documented examples,
// and seeded simulations for error rates.
import { describe, expect, it } from 'vitest';
import {
  combineVerdicts,
  decide,
  decideInstructions,
  hodgesLehmann,
  madOutliers,
  mannWhitney,
  medianCI,
  relativeChange,
  summarize,
  type VerdictState,
} from '../../src/stats/index.js';
import { exactUCdf } from '../../src/stats/mann-whitney.js';
import { medianCIReachesLevel } from '../../src/stats/median-ci.js';
import { makeRng } from '../helpers/rng.js';

// ---------------------------------------------------------------------------------------------
// Seeded randomness: test/helpers/rng.ts.

/** n boot times around `centre` ms with coefficient of variation `cv`. */
function bootTimes(rng: ReturnType<typeof makeRng>, n: number, centre: number, cv: number): number[] {
  return Array.from({ length: n }, () => centre * (1 + cv * rng.normal()));
}

/** Fraction of `trials` comparisons (base at 1160 ms, head shifted by `shift`) that end in `state`. */
function stateRate(
  seed: number,
  trials: number,
  perSide: number,
  cv: number,
  shift: number,
  state: VerdictState,
  transform: (x: number) => number = (x) => x,
): number {
  const rng = makeRng(seed);
  let hits = 0;
  for (let i = 0; i < trials; i++) {
    const base = bootTimes(rng, perSide, 1160, cv).map(transform);
    const head = bootTimes(rng, perSide, 1160 * (1 + shift), cv).map(transform);
    // these rates were set for a 5 % threshold (the default before ms thresholds)
    if (decide(base, head, { thresholdPct: 5 }).state === state) hits++;
  }
  return hits / trials;
}

// ---------------------------------------------------------------------------------------------
// Brute-force oracles: enumerate every way to split the pooled sample into the two groups.

function* combinations(n: number, k: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === k) {
    yield chosen;
    return;
  }
  for (let i = start; i <= n - (k - chosen.length); i++) yield* combinations(n, k, i + 1, [...chosen, i]);
}

/** U = #pairs a_i > b_j (+½ per tie), straight from the definition. */
function uByDefinition(a: readonly number[], b: readonly number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  return u;
}

/** Null distribution of U over all C(m+n, m) relabellings: counts[u] (no ties, so u is an integer). */
function enumeratedUCounts(m: number, n: number): number[] {
  const pooled = Array.from({ length: m + n }, (_, i) => i);
  const counts = new Array<number>(m * n + 1).fill(0);
  for (const picked of combinations(m + n, m)) {
    const set = new Set(picked);
    const a = pooled.filter((i) => set.has(i));
    const b = pooled.filter((i) => !set.has(i));
    counts[uByDefinition(a, b)]!++;
  }
  return counts;
}

/** Exact two-sided permutation p-value of U, R's convention: twice the tail on the observed side. */
function enumeratedP(a: readonly number[], b: readonly number[]): number {
  const counts = enumeratedUCounts(a.length, b.length);
  const total = counts.reduce((s, c) => s + c, 0);
  const u = uByDefinition(a, b);
  const mn = a.length * b.length;
  const tail =
    u > mn / 2 ? counts.slice(u).reduce((s, c) => s + c, 0) : counts.slice(0, u + 1).reduce((s, c) => s + c, 0);
  return Math.min(1, (2 * tail) / total);
}

// R's ?wilcox.test two-sample example (Hollander & Wolfe 1973, p. 69: permeability constants).
const HW_X = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const HW_Y = [1.15, 0.88, 0.9, 0.74, 1.21];

// ---------------------------------------------------------------------------------------------

describe('summarize', () => {
  it('returns null for an empty sample', () => {
    expect(summarize([])).toBeNull();
  });

  it('handles a single value: stdev 0, cv 0, ci [x, x]', () => {
    expect(summarize([1160])).toEqual({
      n: 1,
      median: 1160,
      mean: 1160,
      min: 1160,
      max: 1160,
      stdev: 0,
      cv: 0,
      ci95: [1160, 1160],
    });
  });

  it('computes the textbook values for 1..5', () => {
    const s = summarize([3, 1, 5, 2, 4])!;
    expect(s).toMatchObject({ n: 5, median: 3, mean: 3, min: 1, max: 5, ci95: [1, 5] });
    expect(s.stdev).toBeCloseTo(Math.sqrt(2.5), 12); // Σ(x−3)² = 10, / (n−1) = 2.5
    expect(s.cv).toBeCloseTo(Math.sqrt(2.5) / 3, 12);
  });

  it('rejects non-finite values with the index', () => {
    expect(() => summarize([1, NaN])).toThrow(/index 1/);
  });
});

describe('medianCI', () => {
  it('reaches 95 % from 6 values on; below, min–max covers only 1 − 2·0.5ⁿ', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => medianCIReachesLevel(n))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(medianCI([5, 1, 4, 2, 3])).toEqual([1, 5]);
  });

  const oneToN = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).reverse();

  it('n = 10 at 95 %: [x(2), x(9)] (coverage 1 − 2·11/1024 = 0.979; x(3)..x(8) only 0.891)', () => {
    expect(medianCI(oneToN(10))).toEqual([2, 9]);
  });

  it('n = 20 at 95 %: [x(6), x(15)] (P(B ≤ 5) = 0.0207 for B ~ Bin(20, ½), P(B ≤ 6) = 0.0577)', () => {
    expect(medianCI(oneToN(20))).toEqual([6, 15]);
  });

  it('falls back to [min, max] when no order-statistic pair reaches the level (n = 5: 1 − 2/32 < 0.95)', () => {
    expect(medianCI([5, 1, 4, 2, 3])).toEqual([1, 5]);
    expect(medianCI([7])).toEqual([7, 7]);
  });

  it('narrows at a lower level: n = 10 at 80 % gives [x(3), x(8)] (coverage 0.891)', () => {
    expect(medianCI(oneToN(10), 0.8)).toEqual([3, 8]);
  });

  it('rejects empty samples and bad levels', () => {
    expect(() => medianCI([])).toThrow(/empty/);
    expect(() => medianCI([1, 2], 1)).toThrow(/between 0 and 1/);
  });

  it('covers the true median of normal samples in ≥ 93 % of 2000 seeded trials', () => {
    const rng = makeRng(20240601);
    let covered = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const n = 8 + (trial % 23); // sizes 8..30
      const [lo, hi] = medianCI(bootTimes(rng, n, 1000, 0.03));
      if (lo <= 1000 && 1000 <= hi) covered++;
    }
    expect(covered / 2000).toBeGreaterThanOrEqual(0.93);
  });
});

describe('mannWhitney', () => {
  it('completely separated samples of 5 and 5: exact two-sided p = 2 / C(10, 5) = 2/252', () => {
    const low = [1, 2, 3, 4, 5];
    const high = [6, 7, 8, 9, 10];
    expect(mannWhitney(low, high)).toEqual({ u: 0, p: 2 / 252 });
    expect(mannWhitney(high, low)).toEqual({ u: 25, p: 2 / 252 });
  });

  it('identical samples give p = 1', () => {
    expect(mannWhitney([3, 1, 2], [1, 2, 3]).p).toBe(1);
    expect(mannWhitney([5, 5, 5], [5, 5, 5, 5])).toEqual({ u: 6, p: 1 });
  });

  it("matches R's wilcox.test example: W = 35, one-sided p = 0.1272 (two-sided 764/3003)", () => {
    // R: wilcox.test(x, y, alternative = "g") → W = 35, p-value = 0.1272. Enumerating all 3003 splits
    // gives P(U ≥ 35) = 382/3003, so the two-sided p-value is 764/3003 = 0.25441.
    const { u, p } = mannWhitney(HW_X, HW_Y);
    expect(u).toBe(35);
    expect(p).toBeCloseTo(764 / 3003, 12);
    expect(p).toBeCloseTo(enumeratedP(HW_X, HW_Y), 12);
  });

  it('exact null distribution equals brute-force enumeration', () => {
    // m = n = 2: the 6 arrangements give U = 0,1,2,2,3,4.
    expect(Array.from(exactUCdf(2, 2))).toEqual([1 / 6, 2 / 6, 4 / 6, 5 / 6, 1]);
    for (const [m, n] of [
      [3, 4],
      [6, 6],
      [4, 9],
    ] as const) {
      const counts = enumeratedUCounts(m, n);
      const total = counts.reduce((s, c) => s + c, 0);
      let running = 0;
      const expected = counts.map((c) => (running += c) / total);
      const actual = Array.from(exactUCdf(m, n));
      expect(actual).toHaveLength(expected.length);
      actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
      expect(Array.from(exactUCdf(n, m))).toEqual(actual); // symmetric in the sizes
    }
  });

  it('exact p-values equal enumeration for random untied samples', () => {
    const rng = makeRng(99);
    for (let trial = 0; trial < 5; trial++) {
      const a = bootTimes(rng, 6, 100, 0.05);
      const b = bootTimes(rng, 7, 103, 0.05);
      expect(mannWhitney(a, b).p).toBeCloseTo(enumeratedP(a, b), 12);
    }
  });

  it('uses the tie-corrected normal approximation with continuity correction when there are ties', () => {
    // a = 1,2,2,3 and b = 2,3,4,5: midranks of a are 1, 3, 3, 5.5 → W = 12.5 − 10 = 2.5 (R: W = 2.5).
    // Var = mn/12 · (N + 1 − Σ(t³ − t)/(N(N − 1))) = 16/12 · (9 − 30/56) = 11.2857;
    // z = (2.5 − 8 + 0.5)/√11.2857 = −1.48835 → p = 2·Φ(−1.48835) = 0.13666.
    const { u, p } = mannWhitney([1, 2, 2, 3], [2, 3, 4, 5]);
    expect(u).toBe(2.5);
    expect(p).toBeCloseTo(0.13666, 4);
  });

  it('uses the normal approximation from 50 values per side, agreeing with the exact test just below', () => {
    const rng = makeRng(5);
    const a = bootTimes(rng, 50, 100, 0.05);
    const b = bootTimes(rng, 50, 102, 0.05);
    const { u, p } = mannWhitney(a, b);
    expect(u).toBe(uByDefinition(a, b));
    const z = (u - 1250 - Math.sign(u - 1250) * 0.5) / Math.sqrt((2500 * 101) / 12);
    const expectedP = 2 * (1 - 0.5 * (1 + erfReference(Math.abs(z) / Math.SQRT2)));
    expect(p).toBeCloseTo(expectedP, 6);
    // 49 per side: exact; still within 0.01 of the normal approximation.
    const exact = mannWhitney(a.slice(1), b.slice(1));
    const u49 = exact.u;
    const z49 = (u49 - 1200.5 - Math.sign(u49 - 1200.5) * 0.5) / Math.sqrt((2401 * 99) / 12);
    expect(Math.abs(exact.p - 2 * (1 - 0.5 * (1 + erfReference(Math.abs(z49) / Math.SQRT2))))).toBeLessThan(0.01);
  });

  it('rejects empty or non-finite input', () => {
    expect(() => mannWhitney([], [1])).toThrow(/empty/);
    expect(() => mannWhitney([1], [Infinity])).toThrow(/second sample.*Infinity/);
  });
});

/** erf by its Maclaurin series (fine for |x| < 3), independent of the library under test. */
function erfReference(x: number): number {
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (-x * x) / k;
    sum += term / (2 * k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('hodgesLehmann', () => {
  it('a sample shifted by exactly +7 gives shift 7 with a CI containing 7', () => {
    const base = bootTimes(makeRng(3), 15, 1000, 0.02);
    const { shift, ci } = hodgesLehmann(
      base,
      base.map((x) => x + 7),
    );
    expect(shift).toBeCloseTo(7, 9);
    expect(ci[0]).toBeLessThanOrEqual(7);
    expect(ci[1]).toBeGreaterThanOrEqual(7);
    expect(ci[0]).toBeLessThan(ci[1]);
  });

  it('by hand: base 1,2,3 and head 4,5,6 → differences 1,2,2,3,3,3,4,4,5, shift 3', () => {
    // With m = n = 3, P(U = 0) = 1/20 > 0.025, so no interval narrower than [min, max] reaches 95 %.
    expect(hodgesLehmann([1, 2, 3], [4, 5, 6])).toEqual({ shift: 3, ci: [1, 5] });
  });

  it("matches enumeration on R's example: estimate 0.305, 95 % CI [−0.15, 0.76] for x − y", () => {
    // Oracle: sort all 50 differences x_j − y_i; k = smallest u with P(U ≤ u) ≥ 0.025 under the
    // enumerated null distribution for sizes 5 and 10; CI = [d(k), d(51 − k)] (1-based).
    const counts = enumeratedUCounts(5, 10);
    const total = counts.reduce((s, c) => s + c, 0);
    let k = 0;
    for (let cum = counts[0]! / total; cum < 0.025; cum += counts[k]! / total) k++;
    const diffs = HW_X.flatMap((x) => HW_Y.map((y) => x - y)).sort((p, q) => p - q);
    const { shift, ci } = hodgesLehmann(HW_Y, HW_X);
    expect(shift).toBeCloseTo((diffs[24]! + diffs[25]!) / 2, 12);
    expect(shift).toBeCloseTo(0.305, 12);
    expect(ci[0]).toBeCloseTo(diffs[k - 1]!, 12);
    expect(ci[1]).toBeCloseTo(diffs[50 - k]!, 12);
    expect(ci[0]).toBeCloseTo(-0.15, 12);
    expect(ci[1]).toBeCloseTo(0.76, 12);
  });

  it('covers the true shift in ≥ 93 % of 1000 seeded trials, small and large samples', () => {
    const rng = makeRng(11);
    for (const [m, n] of [
      [8, 10],
      [60, 60],
    ] as const) {
      let covered = 0;
      for (let trial = 0; trial < 1000; trial++) {
        const { ci } = hodgesLehmann(bootTimes(rng, m, 1000, 0.03), bootTimes(rng, n, 1030, 0.03));
        if (ci[0] <= 30 && 30 <= ci[1]) covered++;
      }
      expect(covered / 1000).toBeGreaterThanOrEqual(0.93);
    }
  });
});

describe('relativeChange', () => {
  it('expresses the HL shift and CI relative to the base median', () => {
    const base = [1000, 1010, 990, 1005, 995];
    const head = base.map((x) => x + 50);
    const r = relativeChange(base, head);
    expect(r.baseMedian).toBe(1000);
    expect(r.headMedian).toBe(1050);
    expect(r.shiftMs).toBeCloseTo(50, 9);
    expect(r.pct).toBeCloseTo(5, 9);
    const hl = hodgesLehmann(base, head);
    expect(r.ciPct[0]).toBeCloseTo(hl.ci[0] / 10, 9);
    expect(r.ciPct[1]).toBeCloseTo(hl.ci[1] / 10, 9);
    expect(r.p).toBe(mannWhitney(base, head).p);
  });

  it('refuses a non-positive base median', () => {
    expect(() => relativeChange([0, 0, 0], [1, 2, 3])).toThrow(/base median must be positive/);
  });
});

describe('madOutliers', () => {
  it('flags the boot that hit a noisy neighbour', () => {
    // median 1000, |deviations| 0,5,5,10,10,2000 → MAD 7.5; 2000/(1.4826·7.5) = 180 > 3.5.
    expect(madOutliers([1000, 1005, 995, 1010, 990, 3000])).toEqual([5]);
  });

  it('uses the threshold k: a point at modified z = 3.0 is kept at 3.5 and flagged at 2.5', () => {
    // median 10, |deviations| 1,0,0,1,4.4478 → MAD 1; 4.4478/1.4826 = 3.0; 9 and 11 score 0.67.
    const xs = [9, 10, 10, 11, 10 + 3 * 1.4826];
    expect(madOutliers(xs)).toEqual([]);
    expect(madOutliers(xs, 2.5)).toEqual([4]);
  });

  it('returns nothing when MAD is 0 or the sample is empty', () => {
    expect(madOutliers([1, 1, 1, 1, 100])).toEqual([]);
    expect(madOutliers([])).toEqual([]);
  });
});

describe('decide', () => {
  it('is inconclusive with fewer than 3 values on a side', () => {
    for (const [base, head] of [
      [
        [1000, 1001],
        [1100, 1101, 1102],
      ],
      [[], [1, 2, 3]],
      [[1000, 1001, 1002], [1000]],
    ] as const) {
      const v = decide(base, head);
      expect(v.state).toBe('inconclusive');
      expect(v.reason).toMatch(/^too few successful boots/);
      expect(v.moreBoots).toBeGreaterThan(0);
    }
  });

  it('cannot call a regression from 3 or 4 boots per side, however clear (exact p ≥ 2/70 > 0.01)', () => {
    const v = decide([1000, 1001, 1002, 1003], [2000, 2001, 2002, 2003]);
    expect(v.p).toBeCloseTo(2 / 70, 12);
    expect(v.state).toBe('inconclusive');
    expect(v.moreBoots).toBe(1); // 5 per side can reach p = 2/252 < 0.01
  });

  it('calls a clear regression, improvement and no change', () => {
    const rng = makeRng(1);
    const base = bootTimes(rng, 10, 1000, 0.01);
    expect(
      decide(
        base,
        base.map((x) => x * 1.2),
      ).state,
    ).toBe('regression');
    expect(
      decide(
        base,
        base.map((x) => x * 0.8),
      ).state,
    ).toBe('improvement');
    const same = decide(base, bootTimes(rng, 10, 1000, 0.01));
    expect(same.state).toBe('no change');
    expect(same.moreBoots).toBeNull();
  });

  it('is inconclusive with a rough boots estimate when a noisy sample cannot decide', () => {
    const rng = makeRng(8);
    const v = decide(bootTimes(rng, 6, 1000, 0.08), bootTimes(rng, 6, 1000, 0.08), { thresholdPct: 5 });
    expect(v.state).toBe('inconclusive');
    expect(v.moreBoots).toBeGreaterThan(0);
    expect(v.reason).toMatch(/more boots per side/);
  });

  it('honours alpha and thresholdPct, and rejects nonsense options', () => {
    const base = [1000, 1002, 998, 1001, 999, 1003, 997, 1000];
    const head = base.map((x) => x * 1.03);
    expect(decide(base, head, { thresholdPct: 5 }).state).toBe('no change'); // +3 % is under 5 %
    expect(decide(base, head, { thresholdPct: 2 }).state).toBe('regression');
    expect(() => decide(base, head, { alpha: 0 })).toThrow(/alpha/);
    expect(() => decide(base, head, { thresholdPct: -1 })).toThrow(/thresholdPct/);
  });

  // Error rates on seeded synthetic boots around 1160 ms (the Embox median) with normal noise.
  it('false alarms: identical distributions, CV 2 %, 20 per side → regression in < 1 % of 500', () => {
    expect(stateRate(101, 500, 20, 0.02, 0, 'regression')).toBeLessThan(0.01);
  });

  it('false alarms: CV 5 %, times rounded to whole ms (ties → normal approximation) → < 2 % of 500', () => {
    // Nominal rate is alpha/2 = 0.5 % (one side of a two-sided test): the CI is wide enough at CV 5 %
    // to reach the threshold whenever p < alpha. The bound leaves room for sampling noise (measured 4/500).
    expect(stateRate(102, 500, 20, 0.05, 0, 'regression', Math.round)).toBeLessThan(0.02);
  });

  it('false alarms: 10 % of boots hit a noisy neighbour (+15 %), 20 per side → < 1 % of 500', () => {
    const rng = makeRng(103);
    const boot = (): number => 1160 * (1 + 0.02 * rng.normal()) * (rng.uniform() < 0.1 ? 1.15 : 1);
    let alarms = 0;
    for (let i = 0; i < 500; i++) {
      const base = Array.from({ length: 20 }, boot);
      const head = Array.from({ length: 20 }, boot);
      if (decide(base, head).state === 'regression') alarms++;
    }
    expect(alarms / 500).toBeLessThan(0.01);
  });

  it('detection: a 10 % slowdown, CV 2 %, 15 per side → regression in ≥ 99 % of 500', () => {
    expect(stateRate(104, 500, 15, 0.02, 0.1, 'regression')).toBeGreaterThanOrEqual(0.99);
  });

  it('detection: a 5 % slowdown, CV 2 %, 20 per side → regression in ≥ 95 % of 500', () => {
    expect(stateRate(105, 500, 20, 0.02, 0.05, 'regression')).toBeGreaterThanOrEqual(0.95);
  });

  it('a 2 % slowdown (below the 5 % threshold), CV 2 %, 20 per side: regression < 3 %, no change ≥ 90 %', () => {
    expect(stateRate(106, 500, 20, 0.02, 0.02, 'regression')).toBeLessThan(0.03);
    expect(stateRate(106, 500, 20, 0.02, 0.02, 'no change')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('combineVerdicts', () => {
  const table: [VerdictState[], VerdictState][] = [
    [['no change', 'no change'], 'no change'],
    [['no change', 'improvement'], 'improvement'],
    [['improvement', 'inconclusive'], 'inconclusive'],
    [['inconclusive', 'regression', 'improvement'], 'regression'],
    [['no change', 'regression'], 'regression'],
    [['no change', 'inconclusive'], 'inconclusive'],
    [['improvement'], 'improvement'],
    [[], 'inconclusive'], // nothing compared: claim nothing
  ];
  it.each(table)('%j → %s', (states, expected) => {
    expect(combineVerdicts(states)).toBe(expected);
  });
});

describe('decideInstructions', () => {
  it('compares exact counts against the 1 % default threshold', () => {
    expect(decideInstructions([1_000_000, 1_000_000], [1_010_000, 1_010_000])).toMatchObject({
      state: 'regression',
      base: 1_000_000,
      head: 1_010_000,
      delta: 10_000,
      pct: 1,
    });
    expect(decideInstructions([1_000_000], [990_000])).toMatchObject({ state: 'improvement', delta: -10_000, pct: -1 });
    expect(decideInstructions([1_000_000], [1_009_999])).toMatchObject({ state: 'no change', delta: 9_999 });
    expect(decideInstructions([1_000_000], [1_004_000], 0.3).state).toBe('regression');
  });

  it('uses the median and says so when counts differ within a side', () => {
    const v = decideInstructions([100, 100, 103], [100, 100, 100]);
    expect(v).toMatchObject({ state: 'no change', base: 100, head: 100, delta: 0, pct: 0 });
    expect(v.reason).toMatch(/base counts differ between boots \(100 … 103\)/);
  });

  it('is inconclusive when a side has no count, and notes partial gaps', () => {
    expect(decideInstructions([null, null], [100])).toMatchObject({
      state: 'inconclusive',
      base: null,
      head: 100,
      delta: null,
      pct: null,
    });
    expect(decideInstructions([], [])).toMatchObject({ state: 'inconclusive' });
    expect(decideInstructions([100, null], [100]).reason).toMatch(/1 of 2 base boots had no count/);
  });
});
