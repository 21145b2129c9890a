// One subject's nightly history analysed: the median series with its change points (never across
// a QEMU version change) and whether the latest level is a sustained regression.
import type { ChangePoint, SustainedRegression } from '../stats/change-points.js';
import { medianSeries, type HistoryFile } from './model.js';
import { changePointsByQemu, type QemuChange } from './segments.js';

/** One night of a subject's trend: its median boot time and the 95 % CI of that median. */
export interface TrendPoint {
  /** ISO time of the run */
  at: string;
  median: number;
  ci95: [number, number] | null;
  commit: string;
}

export interface SubjectTrend {
  subject: string;
  file: HistoryFile;
  points: TrendPoint[];
  changePoints: ChangePoint[];
  sustained: SustainedRegression | null;
  chartPath: string;
  /** nights where the QEMU version changed: no change point is tested across them */
  qemuChanges: QemuChange[];
}

/** Change points and the sustained-regression check of one subject's history. */
export function analyseHistory(
  file: HistoryFile,
  chartPath: string,
  options: { alpha: number; thresholdPct: number },
): SubjectTrend {
  const { values, entryIndex } = medianSeries(file);
  const points: TrendPoint[] = values.map((median, i) => {
    const e = file.entries[entryIndex[i]!]!;
    return { at: e.at, median, ci95: e.summary.ci95, commit: e.commit };
  });
  const cpOptions = { alpha: options.alpha, minShiftPct: options.thresholdPct };
  // never across a QEMU version change (src/history/segments.ts)
  const versions = entryIndex.map((i) => file.entries[i]!.host?.qemu ?? 'unknown');
  const { changePoints, sustained, qemuChanges } = changePointsByQemu(values, versions, cpOptions);
  return { subject: file.subject, file, points, changePoints, sustained, chartPath, qemuChanges };
}
