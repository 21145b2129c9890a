// What the dashboard page draws, as plain JSON: built here from nightly histories or from results
// documents, embedded in the page, read by client.ts in the browser. Shared by both sides, so no
// Node or DOM types in here.

/** One nightly run of one subject. */
export interface TrendPoint {
  at: string;
  commit: string;
  /** https links only (checked when built); null when unknown */
  commitUrl: string | null;
  runUrl: string | null;
  median: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  httpMedian: number | null;
  instructionsMedian: number | null;
  imageBytes: number | null;
  n: number;
  total: number;
  /** median init ms of the modules shown, by name; the rest summed under OTHER_MODULES */
  modules: Record<string, number>;
}

export interface TrendChangePoint {
  /** index into `points` */
  index: number;
  direction: 'regression' | 'improvement';
  shiftPct: number;
  beforeMedian: number;
  afterMedian: number;
  p: number;
}

export interface TrendSubject {
  name: string;
  os: string;
  config: string;
  points: TrendPoint[];
  changePoints: TrendChangePoint[];
  /** the modules stacked, biggest first (OTHER_MODULES last when some were folded) */
  moduleNames: string[];
}

/** One results document's side of a subject (a measure run, or the base or head of a gate). */
export interface RunSide {
  label: string;
  commit: string | null;
  bootMs: number[];
  httpMs: number[];
  instructions: number[];
  failed: number;
  total: number;
  median: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  httpMedian: number | null;
  instructionsMedian: number | null;
  imageBytes: number | null;
  modules: { name: string; medianMs: number }[];
}

export interface ResultsSubject {
  name: string;
  os: string;
  sides: RunSide[];
}

export interface DashboardData {
  schema: 'bootgate/dashboard@1';
  kind: 'history' | 'results';
  title: string;
  generatedAt: string;
  toolVersion: string;
  /** a short line under the title: the config, or the files viewed */
  subtitle: string;
  trends: TrendSubject[];
  results: ResultsSubject[];
}

export const OTHER_MODULES = 'other modules';
/** Modules drawn one by one in the stacked chart; the rest are summed. */
export const STACKED_MODULES = 8;
