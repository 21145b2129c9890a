// Two-sample Kolmogorov–Smirnov test, used beside Mann–Whitney (as Chromium's Pinpoint does) to
// notice a change of spread or shape that a shift test misses: a head whose boots are sometimes
// much slower and sometimes not may keep its median.
import { median } from 'simple-statistics';
import { assertFiniteSample, assertNonEmpty } from './validate.js';

/** Largest distance between the two empirical CDFs. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** P(D ≥ d) from the Kolmogorov distribution with Stephens' small-sample correction (Numerical Recipes' probks). */
export function ksPValue(d: number, m: number, n: number): number {
  const en = Math.sqrt((m * n) / (m + n));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-10) return Math.min(1, Math.max(0, 2 * sum));
    sign = -sign;
  }
  return 1; // did not converge: lambda is tiny, no evidence
}

export interface SpreadChange {
  /** KS distance between the median-centred samples: shape and spread, with the shift taken out */
  d: number;
  /** approximate p of d (the centring uses estimated medians, which makes it a little conservative) */
  p: number;
  /** head MAD / base MAD; > 1 = head boots are more spread out */
  madRatio: number | null;
}

const mad = (xs: readonly number[]): number => {
  const m = median([...xs]);
  return median(xs.map((x) => Math.abs(x - m)));
};

/** Change of spread or shape of head vs base, separate from the shift (each side centred on its median). */
export function spreadChange(base: readonly number[], head: readonly number[]): SpreadChange {
  assertFiniteSample(base, 'spreadChange (base)');
  assertFiniteSample(head, 'spreadChange (head)');
  assertNonEmpty(base, 'spreadChange (base)');
  assertNonEmpty(head, 'spreadChange (head)');
  const mb = median([...base]);
  const mh = median([...head]);
  const d = ksStatistic(
    base.map((x) => x - mb),
    head.map((x) => x - mh),
  );
  const baseMad = mad(base);
  return { d, p: ksPValue(d, base.length, head.length), madRatio: baseMad > 0 ? mad(head) / baseMad : null };
}
