// Distribution-free confidence interval of a median from order statistics.
//
// For a continuous distribution, the number B of sample values below the true median is
// Binomial(n, 1/2), so [x(k), x(n+1-k)] (1-based order statistics) covers the median with
// probability 1 − 2·P(B ≤ k − 1). We take the narrowest such interval whose coverage is at least the
// requested level; coverage is therefore conservative (≥ level), never approximate.
import { assertFiniteSample, assertLevel, assertNonEmpty, sortedCopy } from './validate.js';

/** P(B ≤ k) for B ~ Binomial(n, 1/2), summed in log space so large n does not underflow 2^−n. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logHalfPowN = -n * Math.LN2;
  let logChoose = 0; // log C(n, 0)
  let total = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    total += Math.exp(logChoose + logHalfPowN);
  }
  return Math.min(1, total);
}

/**
 * Confidence interval [lo, hi] of the median of xs at the given level (default 0.95). When even the
 * widest order-statistic pair (min, max) falls short of the level (n ≤ 5 at 95 %), returns [min, max].
 */
export function medianCI(xs: readonly number[], level = 0.95): [number, number] {
  assertFiniteSample(xs, 'medianCI');
  assertNonEmpty(xs, 'medianCI');
  assertLevel(level, 'medianCI');
  const sorted = sortedCopy(xs);
  const n = sorted.length;
  let k = 1; // [x(1), x(n)] = [min, max] is the fallback
  // Move inwards while the next pair still reaches the level; stop at the middle so lo ≤ hi.
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * binomialHalfCdf(k, n) >= level) k++;
  return [sorted[k - 1]!, sorted[n - k]!];
}

/**
 * Whether the median CI of n values reaches the level: below that (n ≤ 5 at 95 %) medianCI returns
 * the min–max range, whose coverage 1 − 2·0.5ⁿ is less (93.75 % at n = 5), and reports must say so.
 */
export function medianCIReachesLevel(n: number, level = 0.95): boolean {
  return n >= 1 && 1 - 2 * binomialHalfCdf(0, n) >= level;
}
