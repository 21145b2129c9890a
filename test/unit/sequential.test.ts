// The adaptive gate's sequential design: boundaries checked against published values, and error
// rates of whole adaptive gates on seeded synthetic boots (a 1160 ms Embox-like boot).
import { describe, expect, it } from 'vitest';
import { lookLevels, mannWhitney, nominalLevels, sequentialGate, spentAlpha } from '../../src/stats/index.js';
import { normalQuantile } from '../../src/stats/normal.js';
import { makeRng } from '../helpers/rng.js';

const DESIGN = { runs: 10, maxRuns: 60, step: 5 };

/** Outcomes of `gates` adaptive gates, head = base · (1 + shift), noise CV `cv`. */
function gates(
  seed: number,
  count: number,
  cv: number,
  shift: number,
  options: { thresholdPct?: number; thresholdMs?: number; pLevelEveryLook?: number } = {},
) {
  const rng = makeRng(seed);
  const states = { regression: 0, improvement: 0, 'no change': 0, inconclusive: 0 };
  const used: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = (): [number, number] => [1160 * (1 + cv * rng.normal()), 1160 * (1 + shift) * (1 + cv * rng.normal())];
    const { verdict, perSide } = sequentialGate(next, DESIGN, {
      thresholdPct: options.thresholdPct ?? 3,
      thresholdMs: options.thresholdMs,
    });
    states[verdict.state]++;
    used.push(perSide);
  }
  used.sort((a, b) => a - b);
  return { states, mean: used.reduce((a, b) => a + b, 0) / count, p95: used[Math.ceil(0.95 * count) - 1]! };
}

describe('group-sequential boundaries (Lan–DeMets alpha spending)', () => {
  it('reproduces the Pocock-type boundaries for 5 equally spaced looks, two-sided alpha 0.05 (Jennison & Turnbull table 7.6: 2.438 2.427 2.410 2.397 2.386)', () => {
    const levels = nominalLevels([0.2, 0.4, 0.6, 0.8, 1], 0.05, 'pocock');
    const c = levels.map((p) => normalQuantile(1 - p / 2));
    [2.438, 2.427, 2.41, 2.397, 2.386].forEach((want, i) => expect(c[i]).toBeCloseTo(want, 2));
  });

  it('spends all of alpha by the last look, none before the first', () => {
    expect(spentAlpha(0.01, 1, 'pocock')).toBe(0.01);
    expect(spentAlpha(0.01, 0, 'obrien-fleming')).toBe(0);
    expect(spentAlpha(0.01, 0.5, 'obrien-fleming')).toBeLessThan(spentAlpha(0.01, 0.5, 'pocock'));
  });

  it('a single final look is the fixed-sample test: p < alpha and a 95 % CI', () => {
    expect(lookLevels({ looks: [20], maxPerSide: 20, final: true }, 0.01)).toEqual({ p: 0.01, ciLevel: 0.95, look: 1 });
  });

  it('later looks of a Pocock design are stricter than alpha but not by much', () => {
    const { p } = lookLevels(
      { looks: [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60], maxPerSide: 60, final: true },
      0.01,
    );
    expect(p).toBeLessThan(0.01);
    expect(p).toBeGreaterThan(0.001);
  });

  it('rejects nonsense', () => {
    expect(() => nominalLevels([0.5, 0.4], 0.05)).toThrow(/increase/);
    expect(() => nominalLevels([0.5], 1)).toThrow(/alpha/);
  });
});

describe('adaptive gate on synthetic boots (runs 10, max 60, a look every 5 pairs, threshold 3 %)', () => {
  it('A/A, CV 5 % (a busy shared machine): regression in at most 1 of 100 gates', () => {
    const { states } = gates(201, 400, 0.05, 0);
    expect(states.regression / 400).toBeLessThanOrEqual(0.01);
  });

  it('A/A, CV 2 % (a quiet machine): no change, mostly at the first look', () => {
    const r = gates(202, 200, 0.02, 0);
    expect(r.states.regression / 200).toBeLessThanOrEqual(0.01);
    expect(r.states['no change'] / 200).toBeGreaterThanOrEqual(0.95);
    expect(r.mean).toBeLessThan(20);
  });

  it('a shift equal to the threshold is flagged in at least 95 % of gates (CV 2 %)', () => {
    const r = gates(203, 200, 0.02, 0.03);
    expect(r.states.regression / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('the 60 ms head of issue 13 (+5.2 % of 1160 ms) at CV 5 % is flagged in at least 95 % of gates', () => {
    const r = gates(204, 200, 0.05, 60 / 1160);
    expect(r.states.regression / 200).toBeGreaterThanOrEqual(0.95);
    expect(r.p95).toBeLessThanOrEqual(60);
  });

  it('a threshold in ms is the same gate: 35 ms of 1160 ms ≈ 3 %', () => {
    const r = gates(205, 200, 0.02, 0.03, { thresholdMs: 35 });
    expect(r.states.regression / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('looking every 5 pairs at the fixed-sample alpha would inflate false alarms; the boundaries do not', () => {
    const rng = makeRng(206);
    let naive = 0;
    let sequential = 0;
    const count = 400;
    const maxPerSide = 60;
    for (let i = 0; i < count; i++) {
      const base: number[] = [];
      const head: number[] = [];
      const looks: number[] = [];
      let naiveHit = false;
      let sequentialHit = false;
      while (base.length < maxPerSide) {
        base.push(1160 * (1 + 0.05 * rng.normal()));
        head.push(1160 * (1 + 0.05 * rng.normal()));
        if (base.length < 10 || base.length % 5 !== 0) continue;
        looks.push(base.length);
        const { p } = mannWhitney(base, head);
        if (p < 0.01) naiveHit = true;
        if (!sequentialHit && p < lookLevels({ looks, maxPerSide, final: base.length === maxPerSide }, 0.01).p)
          sequentialHit = true;
      }
      if (naiveHit) naive++;
      if (sequentialHit) sequential++;
    }
    expect(naive / count).toBeGreaterThan(0.015);
    expect(sequential / count).toBeLessThanOrEqual(0.015);
  });
});
