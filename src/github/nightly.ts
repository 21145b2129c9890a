// mode: nightly — measure the checked-out commit (the default branch on a schedule), append the
// results to the history on the data branch, chart it, find change points, and raise (or close)
// one issue on a sustained regression.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { git } from '../build/git.js';
import { runGate } from '../engine/gate.js';
import { runMeasure } from '../engine/measure.js';
import type { ResultsDocument } from '../measure/results.js';
import { writeResults } from '../measure/results-file.js';
import { escapeMarkdown, inlineCode } from '../report/escape.js';
import { renderMeasureReport } from '../report/markdown.js';
import { DEFAULT_GATE_OPTIONS, type Comparison } from '../stats/index.js';
import { planCaches, restoreCaches, saveCaches } from './cache.js';
import { DEFAULT_CHANGE_POINT_OPTIONS, type ChangePoint, type SustainedRegression } from './history/change-points.js';
import { renderTrendSvg, trendMermaid, type TrendPoint } from './history/charts.js';
import { syncRegressionIssue } from './history/issue.js';
import { appendEntry, entryFromResult, historyPaths, medianSeries, parseHistory, type HistoryFile, type RunIdentity } from './history/model.js';
import { changePointsByQemu, type QemuChange } from './history/segments.js';
import { commitToBranch } from './history/store.js';
import { dashboardPath, dashboardUpdates } from './history/dashboard.js';
import { previousNightCommit } from './previous-night.js';
import type { ModeContext } from './pr.js';
import { writeJobSummary } from './publish.js';
import { selectSubjects } from './select.js';
import { gateOptions, loadConfig } from './workspace.js';

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
export function analyseHistory(file: HistoryFile, chartPath: string, options: { alpha: number; thresholdPct: number }): SubjectTrend {
  const { values, entryIndex } = medianSeries(file);
  const points: TrendPoint[] = values.map((median, i) => {
    const e = file.entries[entryIndex[i]!]!;
    return { at: e.at, median, ci95: e.summary.ci95, commit: e.commit };
  });
  const cpOptions = { alpha: options.alpha, minShiftPct: options.thresholdPct };
  // never across a QEMU version change (src/github/history/segments.ts)
  const versions = entryIndex.map((i) => file.entries[i]!.host?.qemu ?? 'unknown');
  const { changePoints, sustained, qemuChanges } = changePointsByQemu(values, versions, cpOptions);
  return { subject: file.subject, file, points, changePoints, sustained, chartPath, qemuChanges };
}

/** One line per entry: appending a night adds one line to the file's diff. */
export function serializeHistory(file: HistoryFile): string {
  const { entries, ...head } = file;
  const top = JSON.stringify(head).slice(0, -1);
  return `${top},"entries":[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

async function headCommit(workspace: string, fallback: string): Promise<string> {
  const r = await git(['rev-parse', 'HEAD'], { cwd: workspace });
  return r.ok ? r.stdout : fallback;
}

function blobUrl(ctx: ModeContext, branch: string, file: string): string {
  return `${ctx.run.serverUrl}/${ctx.run.owner}/${ctx.run.repo}/blob/${encodeURIComponent(branch)}/${file}`;
}

function trendSection(ctx: ModeContext, branch: string, trends: readonly SubjectTrend[]): string {
  const out = [`#### History (data branch ${inlineCode(branch)})`, ''];
  const page = trends[0] ? dashboardPath(trends[0].file.config) : null;
  if (page) out.push(`Dashboard: ${inlineCode(page)} on the data branch ([file](${blobUrl(ctx, branch, page)}); serve the branch with GitHub Pages to open it).`, '');
  for (const t of trends) {
    const latest = t.points.at(-1);
    out.push(`**${escapeMarkdown(t.subject)}**: ${t.file.entries.length} nightly runs${latest ? `, latest median ${latest.median.toFixed(1)} ms` : ''} · [trend chart (SVG)](${blobUrl(ctx, branch, t.chartPath)})`, '');
    const chart = trendMermaid(`${t.subject}: median boot ms per nightly run`, t.points);
    if (chart) out.push(chart, '');
    if (t.changePoints.length > 0) {
      out.push('| change point | commit | median before → after (ms) | shift | p |', '| --- | --- | --: | --: | --: |');
      for (const cp of t.changePoints.slice(-10)) {
        const p = t.points[cp.index]!;
        out.push(`| ${p.at.slice(0, 10)} (${cp.direction}) | ${inlineCode(p.commit.slice(0, 12))} | ${cp.beforeMedian.toFixed(1)} → ${cp.afterMedian.toFixed(1)} | ${cp.shiftPct >= 0 ? '+' : ''}${cp.shiftPct.toFixed(1)} % | ${cp.p.toPrecision(2)} |`);
      }
      out.push('');
    } else {
      out.push(`No change point in the history (window ${DEFAULT_CHANGE_POINT_OPTIONS.window} runs each side).`, '');
    }
    for (const q of t.qemuChanges.slice(-5)) {
      const p = t.points[q.index]!;
      out.push(`QEMU changed on ${p.at.slice(0, 10)} (${escapeMarkdown(q.from)} → ${escapeMarkdown(q.to)}): timings before and after are not comparable, so no change point is tested across it.`, '');
    }
    if (t.sustained) {
      const s = t.sustained;
      out.push(`**Sustained regression**: ${s.currentShiftPct.toFixed(1)} % slower than before ${t.points[s.index]!.at.slice(0, 10)} (median ${s.beforeMedian.toFixed(1)} → ${s.currentMedian.toFixed(1)} ms over the latest runs).`, '');
    }
  }
  return out.join('\n');
}

function issueContent(ctx: ModeContext, configName: string, branch: string, trends: readonly SubjectTrend[]): { title: string; body: string } | null {
  const sustained = trends.filter((t) => t.sustained);
  if (sustained.length === 0) return null;
  const lines = [`The nightly bootgate run finds a sustained boot-time regression in ${inlineCode(configName)}:`, ''];
  for (const t of sustained) {
    const s = t.sustained!;
    const at = t.points[s.index]!;
    const before = s.index > 0 ? t.points[s.index - 1]! : null;
    lines.push(
      `- **${escapeMarkdown(t.subject)}**: +${s.currentShiftPct.toFixed(1)} % (median ${s.beforeMedian.toFixed(1)} → ${s.currentMedian.toFixed(1)} ms), ` +
        `first seen ${at.at.slice(0, 10)} at ${inlineCode(at.commit.slice(0, 12))}${before ? ` (previous run: ${inlineCode(before.commit.slice(0, 12))})` : ''}, ` +
        `p = ${s.p.toPrecision(2)} · [chart](${blobUrl(ctx, branch, t.chartPath)})`,
    );
  }
  lines.push('', `Latest run: ${ctx.run.runUrl ?? '(no run URL)'}. This issue is updated by every nightly run and closed when the level comes back.`);
  return { title: `bootgate: sustained boot-time regression (${configName})`, body: lines.join('\n') };
}

export async function runNightlyMode(ctx: ModeContext): Promise<void> {
  const { run, inputs, stages } = ctx;
  if (run.eventName === 'pull_request' || run.eventName === 'pull_request_target') {
    throw new Error(`mode nightly measures the default branch and writes its history; it does not run on ${run.eventName} events (use mode pr there)`);
  }
  stages.stage('bootgate: config');
  const config = await loadConfig(inputs, run);
  const filter = inputs.subjects.kind === 'changed' ? ({ kind: 'all' } as const) : inputs.subjects;
  const subjects = selectSubjects({ subjects: config.subjects, filter, changedFiles: null, templates: new Map() }).subjects;
  const commit = await headCommit(run.workspace, run.sha);
  core.info(`nightly: ${config.name} at ${commit.slice(0, 12)}: ${subjects.map((s) => s.name).join(', ')}`);

  const outDir = path.join(run.temp, 'bootgate', 'nightly');
  await mkdir(outDir, { recursive: true });
  stages.stage('bootgate: restore caches');
  const cacheStates = inputs.cache ? await restoreCaches(await planCaches({ subjects, commits: [commit], workspace: run.workspace, downloadDir: inputs.downloadDir })) : [];
  stages.stage(`bootgate: build ${subjects.map((s) => s.name).join(', ')}`);
  const branch = inputs.historyBranch;
  const previous = branch && ctx.octokit
    ? await previousNightCommit(ctx.octokit, { owner: run.owner, repo: run.repo, branch }, config.name, subjects, commit, run.workspace)
    : null;
  const callbacks = stages.engineCallbacks(previous ? `bootgate: boot the previous night's ${previous.slice(0, 12)} and tonight's commit, interleaved` : 'bootgate: boot');
  const jsonFile = path.join(outDir, 'results.json');
  let doc: ResultsDocument;
  let interrupted: boolean;
  let sinceLastNight: { comparison: Comparison; markdown: string } | null = null;
  if (previous) {
    // tonight's boots are the head side of a gate against the previous night's commit
    const outcome = await runGate({
      subjects, repo: run.workspace, base: previous, head: commit, outDir: path.join(outDir, 'since-previous-night'),
      gate: gateOptions(inputs, config.subjects), runsOverride: inputs.runs, maxRunsOverride: inputs.maxRuns, warmupOverride: inputs.warmup,
      log: callbacks.log, onBoot: callbacks.onBoot, signal: ctx.signal, worktreeDir: path.join(run.temp, 'bootgate-worktrees'),
      configName: config.name, reportTitle: `bootgate: since the previous night (${previous.slice(0, 12)} → ${commit.slice(0, 12)})`,
      // the history needs tonight's boot times even when the image did not change
      bootIdenticalImages: true,
    });
    doc = { ...outcome.head, subjects: outcome.head.subjects.map((s) => ({ ...s, variant: null })) };
    interrupted = outcome.interrupted;
    sinceLastNight = { comparison: outcome.comparison, markdown: outcome.markdown };
    await writeResults(jsonFile, doc);
  } else {
    ({ doc, interrupted } = await runMeasure(subjects, {
      jsonFile, outDir, signal: ctx.signal, log: callbacks.log, onBoot: callbacks.onBoot, runsOverride: inputs.runs, warmupOverride: inputs.warmup,
    }));
  }
  stages.stage('bootgate: save caches');
  await saveCaches(cacheStates);
  stages.close();
  if (interrupted) {
    core.setFailed('bootgate: interrupted; nothing was added to the history');
    return;
  }

  let markdown = renderMeasureReport(doc, { title: `bootgate: nightly ${config.name}` });
  if (sinceLastNight) {
    markdown += `\n${sinceLastNight.markdown}`;
    const moved = sinceLastNight.comparison.state;
    core.info(`since the previous night: ${moved}`);
    if (moved === 'regression') core.warning(`bootgate: the changes since the previous night made boot time slower: ${sinceLastNight.comparison.subjects.filter((x) => x.state === 'regression').map((x) => `${x.name}: ${x.reason}`).join('; ')}`);
  }
  core.setOutput('since-previous-night', sinceLastNight ? sinceLastNight.comparison.state : '');
  let trends: SubjectTrend[] = [];
  if (!branch) {
    core.info('history-branch: none — the results are not added to a history');
  } else if (!ctx.octokit) {
    core.warning('history: no github-token, so the results are not added to the history');
  } else if (doc.subjects.every((s) => s.notBuilt)) {
    core.warning('history: no subject was built, so nothing is added to the history');
  } else {
    stages.stage(`bootgate: history on ${branch}`);
    trends = await appendToHistory(ctx, config.name, branch, doc, {
      id: `${run.runId || 'local'}-${run.runAttempt}${run.runId ? '' : `-${doc.createdAt}`}`,
      commit,
      ref: process.env['GITHUB_REF_NAME'] ?? null,
      runUrl: run.runUrl,
    });
    markdown += `\n${trendSection(ctx, branch, trends)}`;
    stages.close();
  }

  const reportFile = path.join(outDir, 'report.md');
  await writeFile(reportFile, markdown);
  await writeJobSummary(markdown);
  const sustained = trends.filter((t) => t.sustained);
  core.setOutput('verdict', sustained.length > 0 ? 'regression' : 'measured');
  core.setOutput('report-path', reportFile);
  core.setOutput('results-path', outDir);

  const notBuilt = doc.subjects.filter((s) => s.notBuilt);
  if (branch && ctx.octokit && inputs.regressionIssue) {
    try {
      const content = issueContent(ctx, config.name, branch, trends);
      // A subject that was not measured tonight cannot show that its regression is gone.
      if (!content && notBuilt.length > 0) {
        core.info('regression issue: left as it is, since not every subject was measured');
      } else {
        const result = await syncRegressionIssue(ctx.octokit, { owner: run.owner, repo: run.repo, config: config.name }, content,
          `The nightly run ${run.runUrl ?? ''} no longer finds a sustained regression; closing.`);
        if (result.action !== 'none') core.info(`regression issue ${result.action}: ${result.url}`);
      }
    } catch (error) {
      core.warning(`regression issue: cannot update it (${(error as Error).message}); the job needs \`permissions: issues: write\``);
    }
  }
  const failed = doc.subjects.filter((s) => s.summary.failed > 0);
  if (failed.length > 0) core.warning(`boots failed: ${failed.map((s) => `${s.name} ${s.summary.failed}/${s.summary.total}`).join(', ')}`);
  if (notBuilt.length > 0) {
    core.setFailed(`bootgate: not built at ${commit.slice(0, 12)}, so not measured: ${notBuilt.map((s) => `${s.name} (${s.notBuilt!.stage}: ${s.notBuilt!.reason})`).join('; ')}`);
  }
  if (sustained.length > 0) {
    const message = `bootgate: sustained regression in ${sustained.map((t) => `${t.subject} (+${t.sustained!.currentShiftPct.toFixed(1)} %)`).join(', ')}`;
    if (inputs.failOnRegression) core.setFailed(message);
    else core.warning(message);
  }
}

async function appendToHistory(ctx: ModeContext, configName: string, branch: string, doc: ResultsDocument, identity: RunIdentity): Promise<SubjectTrend[]> {
  let trends: SubjectTrend[] = [];
  const { commit, attempts } = await commitToBranch(ctx.octokit!, {
    owner: ctx.run.owner,
    repo: ctx.run.repo,
    branch,
    message: `bootgate nightly: ${configName} at ${identity.commit.slice(0, 12)}${ctx.run.runId ? ` (run ${ctx.run.runId})` : ''}`,
    log: (line) => core.info(line),
    build: async (read, list) => {
      trends = [];
      const updates = [];
      const written: HistoryFile[] = [];
      // A subject that did not build tonight has no boots to add; the summary and the step say so.
      for (const result of doc.subjects.filter((r) => !r.notBuilt)) {
        const paths = historyPaths(configName, result.name);
        const text = await read(paths.data);
        const previous = text === null ? null : parseHistory(text, `${branch}:${paths.data}`, { config: configName, subject: result.name });
        const file = appendEntry(previous, entryFromResult(result, doc, identity), { config: configName, subject: result.name, os: result.os });
        const trend = analyseHistory(file, paths.chart, { alpha: ctx.inputs.alpha, thresholdPct: ctx.inputs.threshold.thresholdPct ?? DEFAULT_GATE_OPTIONS.thresholdPct });
        trends.push(trend);
        written.push(file);
        updates.push({ path: paths.data, content: serializeHistory(file) });
        updates.push({ path: paths.chart, content: renderTrendSvg(`${result.name} (${configName}): median boot ms per nightly run`, trend.points, trend.changePoints) });
      }
      updates.push(...(await dashboardUpdates(written, read, list, {
        config: configName, repoUrl: `${ctx.run.serverUrl}/${ctx.run.owner}/${ctx.run.repo}`,
        alpha: ctx.inputs.alpha, thresholdPct: ctx.inputs.threshold.thresholdPct ?? DEFAULT_GATE_OPTIONS.thresholdPct, log: (line) => core.warning(line),
      })));
      return updates;
    },
  });
  core.info(`history: ${doc.subjects.filter((r) => !r.notBuilt).length} subject(s) added to ${branch} in commit ${commit.slice(0, 12)}${attempts > 1 ? ` after ${attempts} attempts` : ''}`);
  return trends;
}
