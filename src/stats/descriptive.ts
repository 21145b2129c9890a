// Descriptive summary of one sample of boot times.
import { max, mean, median, min, sampleStandardDeviation } from 'simple-statistics';
import { medianCI } from './median-ci.js';
import { assertFiniteSample } from './validate.js';

export interface Summary {
  n: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  /** Sample standard deviation (n − 1 denominator); 0 when n = 1. */
  stdev: number;
  /** stdev / mean, as a fraction (0.02 = 2 %). */
  cv: number;
  /** Distribution-free 95 % confidence interval of the median. */
  ci95: [number, number];
}

/** Summary of a sample; null for an empty one. */
export function summarize(xs: readonly number[]): Summary | null {
  assertFiniteSample(xs, 'summarize');
  if (xs.length === 0) return null;
  const values = [...xs];
  const avg = mean(values);
  const stdev = values.length > 1 ? sampleStandardDeviation(values) : 0;
  return {
    n: values.length,
    median: median(values),
    mean: avg,
    min: min(values),
    max: max(values),
    stdev,
    // stdev 0 gives cv 0 even for a zero mean, rather than NaN.
    cv: stdev === 0 ? 0 : stdev / avg,
    ci95: medianCI(values, 0.95),
  };
}
