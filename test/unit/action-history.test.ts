// The nightly history's pieces, without boots: change points on synthetic series, the history
// file, the charts, and the compare-and-swap commit against the fake GitHub.
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { detectChangePoints, sustainedRegression } from '../../src/stats/change-points.js';
import { niceTicks, renderTrendSvg, trendMermaid } from '../../src/report/trend-charts.js';
import { appendEntry, HISTORY_SCHEMA, parseHistory, type HistoryEntry } from '../../src/history/model.js';
import { commitToBranch } from '../../src/github/history/store.js';
import { serializeHistory } from '../../src/history/model.js';
import { FakeGitHub } from '../helpers/fake-github.js';

/** Deterministic noise: a small LCG mapped to a normal-ish value (sum of 4 uniforms). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return () => (uniform() + uniform() + uniform() + uniform() - 2) / 0.577;
}

function series(levels: { length: number; level: number }[], cv: number, seed = 1): number[] {
  const n = noise(seed);
  return levels.flatMap(({ length, level }) => Array.from({ length }, () => level * (1 + cv * n())));
}

describe('change points', () => {
  it('none in a flat noisy series', () => {
    for (const seed of [1, 2, 3, 4, 5])
      expect(detectChangePoints(series([{ length: 60, level: 400 }], 0.01, seed))).toEqual([]);
  });

  it('one regression where a +10 % step starts', () => {
    const values = series(
      [
        { length: 30, level: 400 },
        { length: 30, level: 440 },
      ],
      0.01,
    );
    const points = detectChangePoints(values);
    expect(points).toHaveLength(1);
    expect(points[0]!.direction).toBe('regression');
    expect(Math.abs(points[0]!.index - 30)).toBeLessThanOrEqual(1);
    expect(points[0]!.shiftPct).toBeGreaterThan(7);
    expect(points[0]!.p).toBeLessThan(0.01);
    expect(sustainedRegression(values, points)).toMatchObject({ index: points[0]!.index });
  });

  it('an improvement, and a step below the threshold is ignored', () => {
    const down = detectChangePoints(
      series(
        [
          { length: 20, level: 400 },
          { length: 20, level: 350 },
        ],
        0.01,
      ),
    );
    expect(down.map((p) => p.direction)).toEqual(['improvement']);
    expect(
      detectChangePoints(
        series(
          [
            { length: 20, level: 400 },
            { length: 20, level: 412 },
          ],
          0.005,
        ),
        { minShiftPct: 5 },
      ),
    ).toEqual([]);
  });

  it('up then down: two points; the regression is no longer sustained', () => {
    const values = series(
      [
        { length: 20, level: 400 },
        { length: 15, level: 460 },
        { length: 15, level: 400 },
      ],
      0.01,
      7,
    );
    const points = detectChangePoints(values);
    expect(points.map((p) => [p.direction, p.index])).toEqual([
      ['regression', 20],
      ['improvement', 35],
    ]);
    expect(sustainedRegression(values, points)).toBeNull();
  });

  it('a single slow night is not a change point', () => {
    const values = series([{ length: 40, level: 400 }], 0.01, 3);
    values[20] = 900;
    expect(detectChangePoints(values)).toEqual([]);
  });

  it('needs a full window after the step', () => {
    const values = series(
      [
        { length: 20, level: 400 },
        { length: 4, level: 500 },
      ],
      0.01,
    );
    expect(detectChangePoints(values)).toEqual([]);
    expect(detectChangePoints([...values, 500])).toHaveLength(1);
  });

  it('rejects bad options and values', () => {
    expect(() => detectChangePoints([1, 2], { window: 1 })).toThrow('window');
    expect(() => detectChangePoints([1, Number.NaN])).toThrow('value 1 is not a finite number');
  });
});

function entry(id: string, at: string, median: number): HistoryEntry {
  return {
    id,
    at,
    commit: 'c'.repeat(40),
    ref: 'main',
    runUrl: null,
    host: { cpu: 'x', cores: 2, os: 'x', kernel: 'x', qemu: 'QEMU 7.2', node: 'v20', compiler: null },
    summary: {
      n: 1,
      total: 1,
      failed: 0,
      median,
      ci95: [median - 1, median + 1],
      cv: 0,
      min: median,
      max: median,
      httpMedian: null,
      instructionsMedian: null,
    },
    bootMs: [median],
    httpMs: [null],
    instructions: [null],
    modules: [],
  };
}

describe('history file', () => {
  it('appends in time order, replaces a re-run, keeps the newest `retention` entries, and round-trips', () => {
    const who = { config: 'bootgate.yml', subject: 's', os: 'custom' };
    let file = appendEntry(null, entry('b', '2026-01-02T00:00:00Z', 2), who);
    file = appendEntry(file, entry('a', '2026-01-01T00:00:00Z', 1), who);
    file = appendEntry(file, entry('b', '2026-01-02T00:00:00Z', 3), who);
    expect(file.entries.map((e) => [e.id, e.summary.median])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    for (let i = 0; i < 10; i++)
      file = appendEntry(file, entry(`n${i}`, `2026-02-${String(i + 10)}T00:00:00Z`, i), who, 5);
    expect(file.entries.map((e) => e.id)).toEqual(['n5', 'n6', 'n7', 'n8', 'n9']);
    const text = serializeHistory(file);
    expect(text.split('\n')).toHaveLength(5 + 3);
    expect(parseHistory(text, 'x')).toEqual(file);
    expect(() => parseHistory('{"schema":"other"}', 'history/x.json')).toThrow(
      `history/x.json: expected a bootgate history with "schema": "${HISTORY_SCHEMA}"`,
    );
  });
});

describe('charts', () => {
  const points = Array.from({ length: 12 }, (_, i) => ({
    at: `2026-03-${String(i + 1).padStart(2, '0')}T03:00:00Z`,
    median: i < 6 ? 400 + i : 450 + i,
    ci95: [395, 460] as [number, number],
    commit: `${i}`.padStart(40, '0'),
  }));

  it('SVG: self-contained, escaped, with the line, the band and the change point', () => {
    const svg = renderTrendSvg('x86 <qemu> & "friends"', points, [
      { index: 6, beforeMedian: 403, afterMedian: 458, shiftPct: 13.6, p: 0.008, t: 20, direction: 'regression' },
    ]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('x86 &lt;qemu&gt; &amp; &quot;friends&quot;');
    expect(svg).toContain('<polyline');
    expect(svg).toContain('<polygon');
    expect(svg).toContain('+13.6 %');
    expect(svg).not.toMatch(/<script|href=/);
    expect(renderTrendSvg('empty', [])).toContain('no successful nightly run yet');
  });

  it('Mermaid: the latest medians as a line', () => {
    const chart = trendMermaid('s: median', points)!;
    expect(chart.split('\n')[0]).toBe('```mermaid');
    expect(chart).toContain('xychart-beta');
    expect(chart).toContain('x-axis ["03-01"');
    expect(chart).toMatch(/line \[400\.0, 401\.0/);
    expect(trendMermaid('none', [])).toBeNull();
  });

  it('round ticks', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(395, 462)).toEqual([400, 420, 440, 460]);
    expect(niceTicks(395, 431)).toEqual([400, 410, 420, 430]);
  });
});

describe('data branch compare-and-swap', () => {
  let fake: FakeGitHub | null = null;
  afterEach(async () => {
    await fake?.stop();
    fake = null;
  });

  it('creates the branch, then rebuilds on the new tip when the ref moved', async () => {
    fake = new FakeGitHub({ owner: 'acme', repo: 'embox' });
    await fake.start();
    const octokit = getOctokit('t', { baseUrl: fake.url });
    const append = (line: string) => async (read: (p: string) => Promise<string | null>) => [
      { path: 'log.txt', content: `${(await read('log.txt')) ?? ''}${line}\n` },
    ];
    await commitToBranch(octokit, {
      owner: 'acme',
      repo: 'embox',
      branch: 'data',
      message: 'one',
      build: append('one'),
      backoffMs: () => 1,
    });
    expect(fake.branchFiles('data').get('log.txt')).toBe('one\n');

    // Another writer lands between this run's read and its ref update.
    let calls = 0;
    const result = await commitToBranch(octokit, {
      owner: 'acme',
      repo: 'embox',
      branch: 'data',
      message: 'two',
      backoffMs: () => 1,
      build: async (read) => {
        calls++;
        const before = await read('log.txt');
        if (calls === 1) fake!.seedBranch('data', { 'log.txt': `${before}other\n` });
        return [{ path: 'log.txt', content: `${before}two\n` }];
      },
    });
    expect(calls).toBe(2);
    expect(result.attempts).toBe(2);
    expect(fake.branchFiles('data').get('log.txt')).toBe('one\nother\ntwo\n');
    expect(fake.requests.some((r) => r.method === 'PATCH' && r.status === 422)).toBe(true);
  });

  it('says which permission is missing when the token cannot write', async () => {
    fake = new FakeGitHub({ owner: 'acme', repo: 'embox', readOnlyToken: 'ro' });
    await fake.start();
    const octokit = getOctokit('ro', { baseUrl: fake.url });
    await expect(
      commitToBranch(octokit, {
        owner: 'acme',
        repo: 'embox',
        branch: 'data',
        message: 'm',
        build: async () => [{ path: 'a', content: 'b' }],
      }),
    ).rejects.toThrow('needs `permissions: contents: write`');
  });
});
