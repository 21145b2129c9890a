// The dashboard's data and page building (the browser side is tested in
// test/integration/dashboard-browser.test.ts).
import { describe, expect, it } from 'vitest';
import { dashboardIndex, dashboardPath, dashboardUpdates } from '../../src/github/history/dashboard.js';
import { HISTORY_SCHEMA, type HistoryEntry, type HistoryFile } from '../../src/history/model.js';
import { commitUrl, safeUrl, trendFromHistory } from '../../src/report/dashboard/build.js';
import { OTHER_MODULES, STACKED_MODULES } from '../../src/report/dashboard/model.js';
import { scriptSafeJson } from '../../src/report/dashboard/page.js';

const OPTIONS = { repoUrl: 'https://github.com/acme/embox', alpha: 0.01, thresholdPct: 5 };

function entry(i: number, median: number | null, modules: { name: string; medianMs: number }[] = []): HistoryEntry {
  return {
    id: `e${i}`,
    at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    commit: 'c'.repeat(40),
    ref: 'main',
    runUrl: null,
    host: { cpu: 'x', cores: 2, os: 'x', kernel: 'x', qemu: 'x', node: 'x', compiler: null },
    summary: {
      n: median === null ? 0 : 3,
      total: 3,
      failed: median === null ? 3 : 0,
      median,
      ci95: median === null ? null : [median - 1, median + 1],
      cv: null,
      min: median,
      max: median,
      httpMedian: null,
      instructionsMedian: null,
    },
    bootMs: [],
    httpMs: [],
    instructions: [],
    modules,
  };
}
const file = (subject: string, entries: HistoryEntry[]): HistoryFile => ({
  schema: HISTORY_SCHEMA,
  config: 'bootgate.yml',
  subject,
  os: 'custom',
  entries,
});

describe('dashboard data', () => {
  it('JSON for a <script> element cannot close it or open a comment', () => {
    const text = scriptSafeJson({ name: '</script><!-- & \u2028' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ name: '</script><!-- & \u2028' });
  });

  it('links are http(s) only; commit links need a hex SHA', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,x')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl('https://github.com/a/b/actions/runs/1')).toBe('https://github.com/a/b/actions/runs/1');
    expect(commitUrl('https://github.com/a/b', 'abc1234')).toBe('https://github.com/a/b/commit/abc1234');
    expect(commitUrl('https://github.com/a/b', '"><b>')).toBeNull();
    expect(commitUrl('javascript:x', 'abc1234')).toBeNull();
  });

  it('change points index the entries, also when failed nights left gaps in the medians', () => {
    const entries = [
      ...Array.from({ length: 6 }, (_, i) => entry(i, 100 + (i % 2) * 0.1)),
      entry(6, null),
      ...Array.from({ length: 6 }, (_, i) => entry(7 + i, 200 + (i % 2) * 0.1)),
    ];
    const trend = trendFromHistory(file('fixture', entries), OPTIONS);
    expect(trend.points).toHaveLength(13);
    expect(trend.points[6]!.median).toBeNull();
    expect(trend.changePoints.map((c) => [c.index, c.direction])).toEqual([[7, 'regression']]);
    expect(trend.points[0]!.commitUrl).toBe(`https://github.com/acme/embox/commit/${'c'.repeat(40)}`);
  });

  it('stacks the largest modules and sums the rest under "other modules"', () => {
    const modules = Array.from({ length: STACKED_MODULES + 3 }, (_, i) => ({ name: `m${i}`, medianMs: 100 - i }));
    const trend = trendFromHistory(file('fixture', [entry(0, 300, modules)]), OPTIONS);
    expect(trend.moduleNames).toEqual([...modules.slice(0, STACKED_MODULES).map((m) => m.name), OTHER_MODULES]);
    expect(trend.points[0]!.modules[OTHER_MODULES]).toBe(
      modules.slice(STACKED_MODULES).reduce((a, m) => a + m.medianMs, 0),
    );
  });

  it("the nightly page includes the config's other subjects already on the branch; the index lists every config", async () => {
    const branch = new Map<string, string>([
      ['history/bootgate.yml/other.json', JSON.stringify(file('other', [entry(0, 50)]))],
      ['history/bootgate.yml/broken.json', '{ not json'],
      ['history/another.yml/x.json', JSON.stringify(file('x', [entry(0, 1)]))],
      ['dashboard/another.yml/index.html', '<html>'],
    ]);
    const warnings: string[] = [];
    const updates = await dashboardUpdates(
      [file('fixture', [entry(0, 100)])],
      async (p) => branch.get(p) ?? null,
      async () => [...branch.keys()],
      {
        config: 'bootgate.yml',
        repoUrl: OPTIONS.repoUrl,
        alpha: 0.01,
        thresholdPct: 5,
        log: (l) => warnings.push(l),
      },
    );
    expect(updates.map((u) => u.path)).toEqual([dashboardPath('bootgate.yml'), 'index.html']);
    const data = JSON.parse(/id="bootgate-data">([^<]*)</.exec(updates[0]!.content)![1]!);
    expect(data.trends.map((t: { name: string }) => t.name)).toEqual(['fixture', 'other']);
    expect(warnings).toEqual([expect.stringContaining('history/bootgate.yml/broken.json')]);
    expect(updates[1]!.content).toContain('<a href="dashboard/another.yml/index.html">another.yml</a>');
    expect(updates[1]!.content).toContain('<a href="dashboard/bootgate.yml/index.html">bootgate.yml</a>');
    expect(dashboardIndex(['dashboard/<b>/index.html'])).toContain('&lt;b&gt;');
  });
});
