// Two-sided Mann–Whitney U (Wilcoxon rank-sum) test, following R's wilcox.test: the exact null
// distribution when both samples have fewer than 50 values and there are no ties, otherwise the normal
// approximation with tie-corrected variance and a continuity correction.
import { assertFiniteSample, assertNonEmpty } from './validate.js';
import { normalTwoSided } from './normal.js';

/** Both sample sizes below this use the exact distribution when there are no ties (R's rule). */
export const EXACT_LIMIT = 50;

const exactCdfCache = new Map<string, Float64Array>();

/**
 * CDF of U under H0 for sample sizes m and n with no ties: cdf[u] = P(U ≤ u), u = 0..m·n.
 * The counts of arrangements per U are the coefficients of the Gaussian binomial [m+n choose m]_q,
 * built as ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i); BigInt keeps every count exact (C(98, 49) ≈ 2.5e28).
 * Results are cached per (m, n), since the gate calls this with the same sizes again and again.
 */
export function exactUCdf(m: number, n: number): Float64Array {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) {
    throw new RangeError(`exactUCdf: sample sizes must be positive integers, got m=${m}, n=${n}`);
  }
  // The distribution is symmetric in the two sample sizes.
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  const key = `${small},${large}`;
  const cached = exactCdfCache.get(key);
  if (cached) return cached;

  let coefficients: bigint[] = [1n];
  for (let i = 1; i <= small; i++) {
    // Multiply by (1 − q^(large+i)).
    const shift = large + i;
    const product = new Array<bigint>(coefficients.length + shift).fill(0n);
    for (let k = 0; k < coefficients.length; k++) {
      product[k] = product[k]! + coefficients[k]!;
      product[k + shift] = product[k + shift]! - coefficients[k]!;
    }
    // Divide by (1 − q^i): a running sum with stride i; the top i coefficients come out zero.
    for (let k = i; k < product.length; k++) product[k] = product[k]! + product[k - i]!;
    coefficients = product.slice(0, product.length - i);
  }

  let total = 0n;
  for (const c of coefficients) total += c;
  const cdf = new Float64Array(coefficients.length);
  let running = 0n;
  for (let u = 0; u < coefficients.length; u++) {
    running += coefficients[u]!;
    cdf[u] = Number(running) / Number(total);
  }
  exactCdfCache.set(key, cdf);
  return cdf;
}

/** Midranks (1-based) of the values, and the sizes of the tie groups. */
function midranks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    if (end - start > 1) tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}

/**
 * Two-sided Mann–Whitney test of a against b. `u` counts the pairs (a_i, b_j) with a_i > b_j, ties
 * counting one half; it equals the W statistic of R's wilcox.test(a, b).
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  assertFiniteSample(a, 'mannWhitney (first sample)');
  assertFiniteSample(b, 'mannWhitney (second sample)');
  assertNonEmpty(a, 'mannWhitney (first sample)');
  assertNonEmpty(b, 'mannWhitney (second sample)');
  const m = a.length;
  const n = b.length;
  const { ranks, tieSizes } = midranks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < m; i++) rankSumA += ranks[i]!;
  const u = rankSumA - (m * (m + 1)) / 2;

  if (tieSizes.length === 0 && m < EXACT_LIMIT && n < EXACT_LIMIT) {
    const cdf = exactUCdf(m, n);
    // Tail on the observed side; P(U ≥ u) = P(U ≤ mn − u) by symmetry, which avoids 1 − cdf cancellation.
    const tail = u > (m * n) / 2 ? cdf[m * n - u]! : cdf[u]!;
    return { u, p: Math.min(1, 2 * tail) };
  }

  const total = m + n;
  const tieTerm = tieSizes.reduce((sum, t) => sum + (t * t * t - t), 0) / (total * (total - 1));
  const variance = ((m * n) / 12) * (total + 1 - tieTerm);
  if (variance <= 0) return { u, p: 1 }; // every value equal: no evidence either way
  const centred = u - (m * n) / 2;
  const z = (centred - Math.sign(centred) * 0.5) / Math.sqrt(variance);
  return { u, p: normalTwoSided(z) };
}
