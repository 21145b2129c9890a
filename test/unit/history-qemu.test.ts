import { describe, expect, it } from 'vitest';
import { changePointsByQemu, qemuChanges } from '../../src/history/segments.js';

const nights = (n: number, level: number): number[] => Array.from({ length: n }, (_, i) => level + ((i * 7) % 5) * 0.4);

describe('change points never across a QEMU version change', () => {
  it('a level shift that coincides with a QEMU upgrade is not a change point, and is said', () => {
    const values = [...nights(8, 1160), ...nights(8, 1240)];
    const versions = [...Array(8).fill('QEMU 7.2.22'), ...Array(8).fill('QEMU 10.0.2')];
    const r = changePointsByQemu(values, versions, { alpha: 0.01, minShiftPct: 3 });
    expect(r.changePoints).toEqual([]);
    expect(r.sustained).toBeNull();
    expect(r.qemuChanges).toEqual([{ index: 8, from: 'QEMU 7.2.22', to: 'QEMU 10.0.2' }]);
    // the same series on one QEMU version is a change point (and a sustained regression)
    const same = changePointsByQemu(values, Array(16).fill('QEMU 7.2.22'), { alpha: 0.01, minShiftPct: 3 });
    expect(same.changePoints.map((c) => c.index)).toEqual([8]);
    expect(same.sustained).not.toBeNull();
  });

  it('finds a change point inside the stretch after an upgrade, at its index in the whole series', () => {
    const values = [...nights(6, 1160), ...nights(6, 1240), ...nights(6, 1320)];
    const versions = [...Array(6).fill('7.2'), ...Array(12).fill('10.0')];
    const r = changePointsByQemu(values, versions, { alpha: 0.01, minShiftPct: 3 });
    expect(r.changePoints.map((c) => c.index)).toEqual([12]);
    expect(qemuChanges(versions)).toHaveLength(1);
  });
});
