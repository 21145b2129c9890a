// Adaptive number of boots: after `runs` interleaved pairs the gate looks at the data; while a
// subject is inconclusive it boots `step` more pairs, up to `max-runs` per side. Each look is
// judged at the group-sequential levels of src/stats/sequential.ts, so the false-alarm rate over
// all looks stays at alpha (docs/statistics.md).
import type { SubjectResult } from '../measure/results.js';
import { compareSubject, subjectOptions, type GateOptions } from '../compare/index.js';

/** Counted boots per side the gate may take at most, unless `max-runs` says otherwise. */
export const DEFAULT_MAX_RUNS = 100;

/** Pairs booted between looks: half the first batch, at least 2. */
export function lookStep(runs: number): number {
  return Math.max(2, Math.ceil(runs / 2));
}

export interface AdaptivePair {
  name: string;
  /** plan indices of the base and head boots */
  base: number;
  head: number;
  runs: number;
  maxRuns: number;
  /** exact instruction counts need no more boots */
  deterministic: boolean;
  /** identical images: decided without boots */
  skip?: boolean;
}

/**
 * The `more` callback of measure(): records each look in the results (`sequential`) and asks for
 * more pairs for the subjects that are still inconclusive.
 */
export function adaptiveBoots(
  pairs: readonly AdaptivePair[],
  gate: GateOptions,
): (results: SubjectResult[]) => Map<number, number> {
  const looks = new Map<AdaptivePair, number[]>(pairs.map((p) => [p, []]));
  const stopped = new Set<AdaptivePair>();
  return (results) => {
    const more = new Map<number, number>();
    for (const pair of pairs) {
      if (stopped.has(pair)) continue;
      const base = results[pair.base]!;
      const head = results[pair.head]!;
      if (pair.deterministic || pair.skip) {
        stopped.add(pair);
        continue;
      }
      const maxPerSide = Math.max(pair.runs, pair.maxRuns);
      const n = Math.min(base.boots.length, head.boots.length);
      const seen = looks.get(pair)!;
      if (seen.at(-1) !== n) seen.push(n);
      const final = n >= maxPerSide;
      const sequential = { looks: [...seen], maxPerSide, final };
      base.sequential = sequential;
      head.sequential = sequential;
      if (final || compareSubject(base, head, subjectOptions(gate, pair.name)).state !== 'inconclusive') {
        stopped.add(pair);
        continue;
      }
      const extra = Math.min(lookStep(pair.runs), maxPerSide - n);
      more.set(pair.base, extra);
      more.set(pair.head, extra);
    }
    return more;
  };
}
