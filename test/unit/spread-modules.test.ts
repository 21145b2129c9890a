import { describe, expect, it } from 'vitest';
import type { BootRecord } from '../../src/measure/results.js';
import { makeRng } from '../helpers/rng.js';
import { ksPValue, ksStatistic, spreadChange } from '../../src/stats/index.js';
import { moduleRegressions } from '../../src/compare/index.js';

const normals = (seed: number, n: number, centre: number, sd: number): number[] => {
  const u = makeRng(seed).uniform;
  return Array.from({ length: n }, () => centre + sd * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
};

describe('Kolmogorov–Smirnov, spread and shape', () => {
  it('D is the largest gap between the empirical CDFs', () => {
    expect(ksStatistic([1, 2, 3], [4, 5, 6])).toBe(1);
    expect(ksStatistic([1, 2, 3, 4], [1, 2, 3, 4])).toBe(0);
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
  });

  it('p follows the Kolmogorov distribution (λ = 1.36 → 0.05 for large samples)', () => {
    expect(ksPValue(1.358 / Math.sqrt(5000), 10_000, 10_000)).toBeCloseTo(0.05, 2);
    expect(ksPValue(0, 10, 10)).toBe(1);
  });

  it('a pure shift is not a change of shape; a doubled spread is', () => {
    const base = normals(1, 60, 1200, 20);
    const shifted = base.map((x) => x + 60);
    // (rounding of x + 60 − median may reorder near-equal values by one step)
    expect(spreadChange(base, shifted).d).toBeLessThanOrEqual(1 / 60);
    expect(spreadChange(base, shifted).p).toBeGreaterThan(0.9);
    const wider = normals(2, 60, 1200, 60);
    const change = spreadChange(base, wider);
    expect(change.p).toBeLessThan(0.01);
    expect(change.madRatio).toBeGreaterThan(2);
  });
});

describe('per-module threshold', () => {
  const boots = (seed: number, n: number, modules: Record<string, number>): BootRecord[] => {
    const u = makeRng(seed).uniform;
    return Array.from({ length: n }, (_, index) => ({
      index,
      sequence: index,
      ok: true,
      bootMs: 1000,
      httpMs: null,
      instructions: null,
      error: null,
      log: null,
      modules: Object.entries(modules).map(([name, ms]) => ({ name, ms: ms * (1 + 0.02 * (u() - 0.5)) })),
    }));
  };

  it('flags a module +12 ms at a 10 ms threshold, not one +3 ms, not an unchanged one', () => {
    const base = boots(3, 12, { 'embox.mem.heap': 20, 'embox.net.core': 40, 'embox.kernel.timer': 5 });
    const head = boots(4, 12, { 'embox.mem.heap': 32, 'embox.net.core': 43, 'embox.kernel.timer': 5 });
    const flagged = moduleRegressions(base, head, 10, 0.01);
    expect(flagged.map((m) => m.name)).toEqual(['embox.mem.heap']);
    expect(flagged[0]!.verdict.shiftMs).toBeGreaterThan(10);
  });
});
