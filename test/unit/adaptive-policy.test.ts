import { describe, expect, it } from 'vitest';
import { adaptiveBoots, lookStep } from '../../src/engine/adaptive.js';
import type { BootRecord, SubjectResult } from '../../src/measure/results.js';
import { summarizeSubject } from '../../src/measure/summary.js';
import { compareResults, DEFAULT_GATE_OPTIONS } from '../../src/compare/index.js';

const boot = (index: number, ms: number): BootRecord => ({
  index,
  sequence: index,
  ok: true,
  bootMs: ms,
  httpMs: null,
  instructions: null,
  modules: [],
  error: null,
  log: null,
});

function side(name: string, variant: 'base' | 'head', times: number[]): SubjectResult {
  const boots = times.map((t, i) => boot(i, t));
  return {
    name,
    os: 'custom',
    variant,
    ref: null,
    commit: null,
    image: null,
    build: null,
    guest: {
      qemu: 'q',
      memoryMb: 64,
      kernel: 'k',
      network: null,
      httpPath: '/',
      extraArgs: [],
      startMarker: 's',
      readyMarker: 'r',
      moduleMarker: null,
      timeoutMs: 1,
    },
    qemuCommand: [],
    deterministic: false,
    warmup: [],
    boots,
    summary: summarizeSubject(boots),
  };
}

/** Alternating noise of ±`spread` around `centre`. */
const times = (n: number, centre: number, spread: number): number[] =>
  Array.from({ length: n }, (_, i) => centre + (i % 2 ? spread : -spread) * ((i % 5) / 4));

describe('the adaptive policy (what the gate boots next)', () => {
  it('asks for more pairs while inconclusive, stops a decided subject, and records every look', () => {
    const results = [
      side('noisy', 'base', times(10, 1000, 80)),
      side('noisy', 'head', times(10, 1010, 80)),
      side('clear', 'base', times(10, 1000, 2)),
      side('clear', 'head', times(10, 1200, 2)),
    ];
    const more = adaptiveBoots(
      [
        { name: 'noisy', base: 0, head: 1, runs: 10, maxRuns: 20, deterministic: false },
        { name: 'clear', base: 2, head: 3, runs: 10, maxRuns: 20, deterministic: false },
      ],
      DEFAULT_GATE_OPTIONS,
    );
    const first = more(results);
    expect([...first]).toEqual([
      [0, lookStep(10)],
      [1, lookStep(10)],
    ]);
    expect(results[3]!.sequential).toEqual({ looks: [10], maxPerSide: 20, final: false });
    // the clear one stays decided at its look: compare reproduces the gate's verdict from the documents
    expect(compareResults([results[2]!], [results[3]!]).state).toBe('regression');

    // 5 more pairs each for the noisy one, then the cap
    for (const i of [0, 1]) results[i] = side('noisy', i === 0 ? 'base' : 'head', times(15, i === 0 ? 1000 : 1010, 80));
    expect([...more(results)]).toEqual([
      [0, 5],
      [1, 5],
    ]);
    for (const i of [0, 1]) results[i] = side('noisy', i === 0 ? 'base' : 'head', times(20, i === 0 ? 1000 : 1010, 80));
    expect(more(results).size).toBe(0);
    expect(results[1]!.sequential).toEqual({ looks: [10, 15, 20], maxPerSide: 20, final: true });
  });

  it('max-runs at or below runs is the fixed-n gate: one final look at alpha', () => {
    const results = [side('x', 'base', times(10, 1000, 80)), side('x', 'head', times(10, 1010, 80))];
    const more = adaptiveBoots(
      [{ name: 'x', base: 0, head: 1, runs: 10, maxRuns: 1, deterministic: false }],
      DEFAULT_GATE_OPTIONS,
    );
    expect(more(results).size).toBe(0);
    const c = compareResults([results[0]!], [results[1]!]);
    expect(c.subjects[0]!.sequential).toMatchObject({
      looks: [10],
      maxPerSide: 10,
      final: true,
      pLevel: DEFAULT_GATE_OPTIONS.alpha,
      ciLevel: 0.95,
    });
  });
});
