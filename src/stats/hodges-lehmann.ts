// Hodges–Lehmann estimate of the shift head − base, with the distribution-free confidence interval
// obtained by inverting the Mann–Whitney test (Moses; Bauer 1972), as R's wilcox.test(conf.int = TRUE).
import { medianSorted } from 'simple-statistics';
import { EXACT_LIMIT, exactUCdf } from './mann-whitney.js';
import { normalQuantile } from './normal.js';
import { assertFiniteSample, assertLevel, assertNonEmpty } from './validate.js';

/**
 * Number k of pairwise differences to cut from each end, so that [d(k), d(mn+1−k)] (1-based) is the
 * CI. Exact: k is R's qwilcox((1 − level)/2, m, n), raised to 1 when that is 0 (then the interval is
 * [min, max] of the differences and covers with probability 1). Large samples: the normal
 * approximation k = ⌊mn/2 − z·√(mn(m+n+1)/12)⌋ (Hollander & Wolfe).
 */
function criticalCount(m: number, n: number, level: number): number {
  const alphaHalf = (1 - level) / 2;
  let k: number;
  if (m < EXACT_LIMIT && n < EXACT_LIMIT) {
    const cdf = exactUCdf(m, n);
    k = 0;
    // Smallest u with P(U ≤ u) ≥ α/2; the 1e-12 slack absorbs rounding when the two are equal.
    while (k < cdf.length - 1 && cdf[k]! < alphaHalf - 1e-12) k++;
  } else {
    const z = normalQuantile(1 - alphaHalf);
    k = Math.floor((m * n) / 2 - z * Math.sqrt((m * n * (m + n + 1)) / 12));
  }
  return Math.min(Math.max(k, 1), Math.ceil((m * n) / 2));
}

/**
 * shift = median of all m·n differences head_j − base_i; ci at the given level (default 0.95).
 * Ties in the data are allowed; the interval then uses the no-ties critical value, as R does for
 * small samples.
 */
export function hodgesLehmann(
  base: readonly number[],
  head: readonly number[],
  level = 0.95,
): { shift: number; ci: [number, number] } {
  assertFiniteSample(base, 'hodgesLehmann (base)');
  assertFiniteSample(head, 'hodgesLehmann (head)');
  assertNonEmpty(base, 'hodgesLehmann (base)');
  assertNonEmpty(head, 'hodgesLehmann (head)');
  assertLevel(level, 'hodgesLehmann');
  const m = base.length;
  const n = head.length;
  const diffs = new Float64Array(m * n);
  let idx = 0;
  for (const h of head) for (const b of base) diffs[idx++] = h - b;
  diffs.sort(); // Float64Array sorts numerically
  const k = criticalCount(m, n, level);
  return { shift: medianSorted(Array.from(diffs)), ci: [diffs[k - 1]!, diffs[m * n - k]!] };
}
