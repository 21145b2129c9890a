import type { SubjectResult } from '../measure/results.js';
export function compareResults(a: SubjectResult, b: SubjectResult): number {
  return b.summary.median - a.summary.median;
}
