// Standard normal CDF and quantile built on simple-statistics' erf (|error| < 1.2e-7).
import { errorFunction, probit } from 'simple-statistics';

/** Two-sided tail probability P(|Z| >= |z|) for a standard normal Z. */
export function normalTwoSided(z: number): number {
  const p = 1 - errorFunction(Math.abs(z) / Math.SQRT2);
  return Math.min(1, Math.max(0, p));
}

/** Φ(z), the standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/**
 * Φ⁻¹(p). simple-statistics' probit is off by ~3e-3 at p = 0.975 (1.9572 instead of 1.95996), so
 * polish it with two Newton steps against the accurate CDF.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  let z = probit(p);
  for (let step = 0; step < 2; step++) {
    const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    if (density === 0) break;
    z -= (normalCdf(z) - p) / density;
  }
  return z;
}
