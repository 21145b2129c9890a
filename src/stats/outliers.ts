// Robust outlier flagging (Iglewicz & Hoaglin's modified z-score): a boot that hit a noisy neighbour
// should be visible in the report without dragging the statistics, which are rank-based anyway.
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { assertFiniteSample } from './validate.js';

/** 1.4826·MAD estimates the standard deviation of normal data. */
const MAD_TO_SIGMA = 1.4826;

/** Indices i with |x_i − median| / (1.4826·MAD) > k (default 3.5); none when MAD is 0 or xs is empty. */
export function madOutliers(xs: readonly number[], k = 3.5): number[] {
  assertFiniteSample(xs, 'madOutliers');
  if (!(k > 0)) throw new RangeError(`madOutliers: k must be positive, got ${k}`);
  if (xs.length === 0) return [];
  const values = [...xs];
  const mad = medianAbsoluteDeviation(values);
  if (mad === 0) return [];
  const centre = median(values);
  const scale = MAD_TO_SIGMA * mad;
  const flagged: number[] = [];
  values.forEach((x, i) => {
    if (Math.abs(x - centre) / scale > k) flagged.push(i);
  });
  return flagged;
}
