// What decided a subject's state, and with which settings: recorded once by compareSubject, so
// every report prints the decision that was taken instead of taking it again.

/** What settled the state, in the order compareSubject tries them. */
export type DecidedBy =
  /** a side could not be built: decided before any statistics */
  | 'not built'
  /** base and head images are identical: no boots, nothing can differ */
  | 'identical image'
  /** head boots failed while every base boot succeeded */
  | 'head boot failures'
  /** deterministic boots: exact instruction counts against the instruction threshold */
  | 'instructions'
  /** wall-clock start → ready: Mann–Whitney and the Hodges–Lehmann CI against the threshold */
  | 'boot time'
  /** no successful boot on one side: nothing to compare */
  | 'no successful boots';

/** The tests behind each kind of decision, as the report names them. */
export const DECISION_TEST: Record<DecidedBy, string | null> = {
  'not built': null,
  'identical image': null,
  'head boot failures': null,
  instructions: 'exact instruction counts',
  'boot time': 'two-sided Mann–Whitney, Hodges–Lehmann CI',
  'no successful boots': null,
};

export interface Decision {
  by: DecidedBy;
  /** the test behind the state; null when no test was needed */
  test: string | null;
  /** by = 'not built': the side(s) that could not be built */
  notBuilt: 'base' | 'head' | 'both' | null;
  /** by = 'identical image': how the images were found identical */
  identicalImage: 'same bytes' | 'same loaded sections' | null;
  /** the wall-clock threshold this subject was judged with (its own over the global one) */
  threshold: {
    /** '5 %' or '20 ms', as configured */
    text: string;
    /** set when the threshold was given in ms */
    ms: number | null;
    /** the threshold in % of the base median (a threshold in ms converted); null without boot times */
    pctOfBase: number | null;
  };
  /** deterministic subjects: the instruction threshold used, in % */
  instructionsThresholdPct: number | null;
  alpha: number;
  /** counted boots per side, warm-up boots, and failures */
  boots: { base: number; head: number; warmup: number; baseFailed: number; headFailed: number };
  /** fixed number of boots, or the adaptive gate (looks in `SubjectComparison.sequential`) */
  mode: 'fixed' | 'adaptive';
  /** the per-module threshold in ms, when set, and how many modules crossed it (those make a regression) */
  moduleThreshold: { ms: number; slower: number } | null;
}
