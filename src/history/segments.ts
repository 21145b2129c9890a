// Instruction counts and timings move with the QEMU version (the same Embox image: 167,340,504
// instructions on QEMU 7.2, 168,075,998 on 10.0.2). A change point is therefore only looked for
// between nights measured with the same QEMU; a version change is reported as such instead.
import {
  detectChangePoints,
  sustainedRegression,
  type ChangePoint,
  type ChangePointOptions,
  type SustainedRegression,
} from '../stats/change-points.js';

export interface QemuChange {
  /** index (in the median series) of the first night on the new version */
  index: number;
  from: string;
  to: string;
}

/** Where the QEMU version changes along the series (`versions[i]` is night i's QEMU). */
export function qemuChanges(versions: readonly string[]): QemuChange[] {
  const out: QemuChange[] = [];
  for (let i = 1; i < versions.length; i++) {
    if (versions[i] !== versions[i - 1]) out.push({ index: i, from: versions[i - 1]!, to: versions[i]! });
  }
  return out;
}

/**
 * Change points within each stretch of nights measured with one QEMU version, never across a
 * version change; the sustained-regression check looks at the latest stretch only.
 */
export function changePointsByQemu(
  values: readonly number[],
  versions: readonly string[],
  options: Partial<ChangePointOptions>,
): { changePoints: ChangePoint[]; sustained: SustainedRegression | null; qemuChanges: QemuChange[] } {
  const changes = qemuChanges(versions);
  const bounds = [0, ...changes.map((c) => c.index), values.length];
  const changePoints: ChangePoint[] = [];
  let sustained: SustainedRegression | null = null;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const start = bounds[k]!;
    const segment = values.slice(start, bounds[k + 1]);
    const found = detectChangePoints(segment, options);
    changePoints.push(...found.map((cp) => ({ ...cp, index: cp.index + start })));
    if (k + 2 === bounds.length) {
      const s = sustainedRegression(segment, found, options);
      sustained = s ? { ...s, index: s.index + start } : null;
    }
  }
  return { changePoints, sustained, qemuChanges: changes };
}
