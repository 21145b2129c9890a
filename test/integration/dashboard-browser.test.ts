// The dashboard pages in a real browser (headless Chromium from the Debian package, loading the
// file): the nightly page built by the action from a real multi-night fixture history, the edge
// cases (empty and one-point history, hostile names), and `bootgate view` of two real results
// files. Screenshots go to test-artifacts/screenshots/ (a CI artifact).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect } from 'vitest';
import { HISTORY_SCHEMA, type HistoryEntry, type HistoryFile } from '../../src/history/model.js';
import { historyDashboard } from '../../src/report/dashboard/build.js';
import type { DashboardData } from '../../src/report/dashboard/model.js';
import { renderDashboardPage } from '../../src/report/dashboard/page.js';
import { serializeHistory } from '../../src/history/model.js';
import { renderPage, SCREENSHOT_DIR } from '../helpers/browser.js';
import { explainRun as explain, SCHEDULE_PAYLOAD } from '../helpers/action-env.js';
import { CLI, git } from '../helpers/fixture-repo.js';
import { githubTest as test } from '../helpers/github-world.js';
import { bencherMetricFormat, benchmarkActionCustom } from '../helpers/export-schemas.js';

const TREND = { repoUrl: 'https://github.com/acme/embox', alpha: 0.01, thresholdPct: 5 };

function entry(i: number, median: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: `e-${i}`,
    at: new Date(Date.UTC(2026, 0, 1 + i, 3, 17)).toISOString(),
    commit: `${i}`.padStart(40, 'b'),
    ref: 'main',
    runUrl: `https://github.com/acme/embox/actions/runs/${100 + i}`,
    host: { cpu: 'test', cores: 2, os: 'test', kernel: 'test', qemu: 'QEMU', node: 'v20', compiler: null },
    summary: {
      n: 3,
      total: 3,
      failed: 0,
      median,
      ci95: [median * 0.98, median * 1.02],
      cv: 0.01,
      min: median,
      max: median,
      httpMedian: median + 5,
      instructionsMedian: null,
    },
    bootMs: [median, median, median],
    httpMs: [null, null, null],
    instructions: [null, null, null],
    modules: [
      { name: 'embox.fs.rootfs', medianMs: median / 2 },
      { name: 'embox.net.core', medianMs: median / 4 },
    ],
    image: { text: 100_000, data: 2000, bss: 30_000 },
    ...extra,
  };
}

async function pageFile(dir: string, name: string, data: DashboardData): Promise<string> {
  const file = path.join(dir, `${name}.html`);
  await writeFile(file, await renderDashboardPage(data));
  return file;
}

describe('dashboard page in headless Chromium', () => {
  test('an empty history renders a page that says so, without errors', async ({ workDir }) => {
    const empty = historyDashboard([], { ...TREND, title: 'bootgate: empty', subtitle: 'no history' });
    const noRuns: HistoryFile = {
      schema: HISTORY_SCHEMA,
      config: 'bootgate.yml',
      subject: 'fixture',
      os: 'custom',
      entries: [],
    };
    const page = await renderPage(await pageFile(workDir, 'empty', empty), {
      screenshot: path.join(SCREENSHOT_DIR, 'dashboard-empty.png'),
      height: 600,
    });
    expect(page.status).toBe('ok');
    expect(page.charts).toBe(0);
    expect(page.dom).toContain('No nightly history yet');
    expect(page.console).toEqual([]);

    const subjectOnly = await renderPage(
      await pageFile(workDir, 'no-runs', historyDashboard([noRuns], { ...TREND, title: 't', subtitle: 's' })),
    );
    expect(subjectOnly.status).toBe('ok');
    expect(subjectOnly.dom).toContain('No nightly run recorded yet');
  });

  test('a one-point history draws the boot, image size and module charts', async ({ workDir }) => {
    const file: HistoryFile = {
      schema: HISTORY_SCHEMA,
      config: 'bootgate.yml',
      subject: 'fixture',
      os: 'custom',
      entries: [entry(0, 300)],
    };
    const page = await renderPage(
      await pageFile(
        workDir,
        'one',
        historyDashboard([file], { ...TREND, title: 'bootgate: one point', subtitle: 'one night' }),
      ),
      {
        screenshot: path.join(SCREENSHOT_DIR, 'dashboard-one-point.png'),
        height: 1400,
      },
    );
    expect(page.status, page.dom.slice(0, 2000)).toBe('ok');
    expect(page.charts).toBe(3);
    expect(page.points).toBeGreaterThan(0);
    expect(page.console).toEqual([]);
    expect(page.dom).toContain('href="https://github.com/acme/embox/commit/');
    expect(page.dom).toContain('href="https://github.com/acme/embox/actions/runs/100"');
  });

  test('names from guests and the data branch stay text: no markup, no script, no unsafe link', async ({ workDir }) => {
    const evil = '</script><img src=x onerror="document.body.dataset.pwned=1"><!--';
    const file: HistoryFile = {
      schema: HISTORY_SCHEMA,
      config: 'bootgate.yml',
      subject: evil,
      os: 'custom',
      entries: [
        entry(0, 300, { runUrl: 'javascript:alert(1)', modules: [{ name: evil, medianMs: 12 }] }),
        entry(1, 301, { commit: '"><b>x</b>' }),
      ],
    };
    const page = await renderPage(
      await pageFile(
        workDir,
        'evil',
        historyDashboard([file], { ...TREND, title: `bootgate ${evil}`, subtitle: evil }),
      ),
    );
    expect(page.status).toBe('ok');
    // what the page drew, without the embedded JSON and the client (where the strings sit escaped)
    const drawn = page.dom.replace(/<script\b[\s\S]*?<\/script>/g, '');
    expect(/<img/i.test(drawn)).toBe(false);
    expect(/<body[^>]*pwned/.test(drawn)).toBe(false);
    expect(drawn.includes('href="javascript:')).toBe(false);
    expect(drawn.includes('&lt;/script&gt;&lt;img src=x')).toBe(true);
    expect(page.dom.includes('</script><img')).toBe(false);
    expect(page.console).toEqual([]);
  });

  test('nightly mode publishes a dashboard built from a real multi-night fixture history', async ({
    fake,
    world,
    runAction,
  }) => {
    // Six nights on the fast kernel, six on the 3× slower one: real boots, one nightly run each.
    const fast = path.join(world.tmp, 'nightly-fast');
    const slow = path.join(world.tmp, 'nightly-slow');
    await git(world.tmp, ['clone', '-q', world.repo.dir, fast]);
    await git(world.tmp, ['clone', '-q', '-b', 'slow', world.repo.dir, slow]);
    const nightly = (workspace: string, runId: number) =>
      runAction({
        inputs: {
          mode: 'nightly',
          subjects: 'fixture',
          runs: '3',
          warmup: '0',
          cache: 'false',
          'fail-on-regression': 'false',
          'regression-issue': 'false',
        },
        eventName: 'schedule',
        payload: SCHEDULE_PAYLOAD,
        workspace,
        runId,
        env: { BOOTGATE_CACHE_DIR: world.cacheDir },
      });
    for (let night = 0; night < 12; night++) {
      const r = await nightly(night < 6 ? fast : slow, 900 + night);
      expect(r.code, explain(r)).toBe(0);
    }
    // The runs took minutes, not nights: spread them one night apart, as the schedule would,
    // ending last night (tonight's run comes next).
    const historyPath = 'history/bootgate.yml/fixture.json';
    const measured = JSON.parse(fake.branchFiles('bootgate-data').get(historyPath)!) as HistoryFile;
    expect(measured.entries).toHaveLength(12);
    const night = 24 * 3600 * 1000;
    measured.entries.forEach((e, i) => {
      e.at = new Date(Date.now() - (12 - i) * night).toISOString();
    });
    fake.seedBranch('bootgate-data', { [historyPath]: serializeHistory(measured) }, 'spread the nights');
    const last = await nightly(slow, 950);
    expect(last.code, explain(last)).toBe(0);
    expect(last.summary).toContain('dashboard/bootgate.yml/index.html');

    const files = fake.branchFiles('bootgate-data');
    expect(files.get('index.html')).toContain('href="dashboard/bootgate.yml/index.html"');
    const html = files.get('dashboard/bootgate.yml/index.html')!;
    const data = JSON.parse(
      /<script type="application\/json" id="bootgate-data">([^<]*)<\/script>/.exec(html)![1]!,
    ) as DashboardData;
    const trend = data.trends[0]!;
    expect(trend.points).toHaveLength(13);
    expect(trend.changePoints.map((c) => [c.index, c.direction])).toEqual([[6, 'regression']]);
    expect(trend.points.map((p) => p.imageBytes !== null)).toEqual(trend.points.map(() => true));
    expect(trend.points.map((p) => p.runUrl?.startsWith('https://github.com/acme/embox/actions/runs/'))).toEqual(
      trend.points.map(() => true),
    );
    expect(trend.moduleNames.length).toBeGreaterThan(0);

    await mkdir(path.dirname(SCREENSHOT_DIR), { recursive: true });
    const saved = path.join(path.dirname(SCREENSHOT_DIR), 'nightly-dashboard.html');
    await writeFile(saved, html);
    const page = await renderPage(saved, {
      screenshot: path.join(SCREENSHOT_DIR, 'nightly-dashboard.png'),
      height: 2300,
    });
    expect(page.status).toBe('ok');
    expect(page.charts).toBe(3);
    expect(page.points).toBeGreaterThanOrEqual(13 * 4);
    expect(page.console).toEqual([]);
  }, 600_000);

  test('bootgate view draws two results files side by side and prints the page path', async ({ world }) => {
    const { buildMultibootFixture } = await import('../../src/build/multiboot-fixture.js');
    const kernels = [
      await buildMultibootFixture({ cacheDir: world.cacheDir }),
      await buildMultibootFixture({ cacheDir: world.cacheDir, workPercent: 300 }),
    ];
    const docs: string[] = [];
    const exported = path.join(world.tmp, 'view', 'exports');
    const exportFlags = (prefix: string) => [
      '--export-bmf',
      `${exported}/${prefix}.bmf.json`,
      '--export-benchmark-action',
      `${exported}/${prefix}.benchmark-action.json`,
    ];
    for (const [i, k] of kernels.entries()) {
      const json = path.join(world.tmp, 'view', i === 0 ? 'base.json' : 'head.json');
      const exports =
        i === 0
          ? [
              ...exportFlags('measure'),
              '--export-csv',
              `${exported}/measure.csv`,
              '--export-markdown',
              `${exported}/measure.md`,
            ]
          : [];
      const r = await execa(
        'node',
        [
          CLI,
          'measure',
          '--name',
          'fixture',
          '--os',
          'custom',
          '--kernel',
          k.kernel,
          '--qemu',
          'qemu-system-i386',
          '--memory',
          '64',
          '--no-network',
          '--start-marker',
          'bootgate-fixture: kernel start',
          '--ready-marker',
          'bootgate-fixture: ready',
          '--runs',
          '5',
          '--warmup',
          '0',
          '--json',
          json,
          '-q',
          ...exports,
        ],
        { reject: false, env: { BOOTGATE_CACHE_DIR: world.cacheDir } },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      docs.push(json);
    }
    // the exports of a real run match the formats' documented shapes
    const compare = await execa(
      'node',
      [CLI, 'compare', '--base', docs[0]!, '--head', docs[1]!, ...exportFlags('compare')],
      { reject: false },
    );
    expect(compare.exitCode, compare.stderr).toBe(1); // the 3× slower kernel is a regression
    for (const prefix of ['measure', 'compare']) {
      const bmf = bencherMetricFormat.parse(JSON.parse(await readFile(`${exported}/${prefix}.bmf.json`, 'utf8')));
      expect(bmf['fixture']!['boot-time-ms']!.value).toBeGreaterThan(0);
      const entries = benchmarkActionCustom.parse(
        JSON.parse(await readFile(`${exported}/${prefix}.benchmark-action.json`, 'utf8')),
      );
      expect(entries.map((e) => e.name)).toContain('fixture: boot (start → ready)');
    }
    expect(await readFile(`${exported}/measure.csv`, 'utf8')).toMatch(/^subject,variant,mean_ms,.*\nfixture,,\d/);
    expect(await readFile(`${exported}/measure.md`, 'utf8')).toMatch(
      /^\| Subject \| Mean \[ms\] .*\n.*\n\| `fixture` \| \d+\.\d ± \d+\.\d \|/,
    );
    const out = path.join(world.tmp, 'view', 'page.html');
    const view = await execa('node', [CLI, 'view', ...docs, '--out', out], { reject: false });
    expect(view.exitCode, view.stderr).toBe(0);
    expect(view.stdout.trim()).toBe(out);
    const saved = path.join(path.dirname(SCREENSHOT_DIR), 'view-fixture.html');
    await copyFile(out, saved);
    const page = await renderPage(saved, { screenshot: path.join(SCREENSHOT_DIR, 'view-fixture.png'), height: 1600 });
    expect(page.status).toBe('ok');
    expect(page.charts).toBe(2); // per-boot distribution, module bars
    expect(page.points).toBeGreaterThanOrEqual(10);
    expect(page.dom).toContain('Module diff (head.json − base.json)');
    expect(page.console).toEqual([]);
    expect(await readFile(out, 'utf8')).not.toMatch(/<script[^>]+src=/);

    const missing = await execa('node', [CLI, 'view', path.join(world.tmp, 'nope.json')], { reject: false });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('nope.json');
  }, 300_000);
});
