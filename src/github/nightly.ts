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
import {
  appendEntry,
  entryFromResult,
  historyPaths,
  parseHistory,
  serializeHistory,
  type HistoryFile,
  type RunIdentity,
} from '../history/model.js';
import { analyseHistory, type SubjectTrend } from '../history/trend.js';
import { renderMeasureReport } from '../report/markdown.js';
import { nightlyTrendSection, regressionIssueContent, type DataBranchLinks } from '../report/nightly-report.js';
import { renderTrendSvg } from '../report/trend-charts.js';
import { DEFAULT_GATE_OPTIONS, type Comparison } from '../compare/index.js';
import { gateOptions } from '../engine/gate-options.js';
import { planCaches, restoreCaches, saveCaches } from './cache.js';
import { syncRegressionIssue } from './history/issue.js';
import { commitToBranch } from './history/store.js';
import { dashboardPath, dashboardUpdates } from './history/dashboard.js';
import { previousNightCommit } from './previous-night.js';
import type { ModeContext } from './mode-context.js';
import { writeJobSummary } from './publish.js';
import { selectSubjects } from './select.js';
import { loadConfig } from './workspace.js';

async function headCommit(workspace: string, fallback: string): Promise<string> {
  const r = await git(['rev-parse', 'HEAD'], { cwd: workspace });
  return r.ok ? r.stdout : fallback;
}

/** Links to the data branch's files for the job summary and the regression issue. */
function dataBranchLinks(ctx: ModeContext, branch: string, configName: string): DataBranchLinks {
  return {
    branch,
    blobUrl: (file) =>
      `${ctx.run.serverUrl}/${ctx.run.owner}/${ctx.run.repo}/blob/${encodeURIComponent(branch)}/${file}`,
    dashboardPage: dashboardPath(configName),
    runUrl: ctx.run.runUrl,
  };
}

export async function runNightlyMode(ctx: ModeContext): Promise<void> {
  const { run, inputs, stages } = ctx;
  if (run.eventName === 'pull_request' || run.eventName === 'pull_request_target') {
    throw new Error(
      `mode nightly measures the default branch and writes its history; it does not run on ${run.eventName} events (use mode pr there)`,
    );
  }
  stages.stage('bootgate: config');
  const config = await loadConfig(inputs, run);
  const filter = inputs.subjects.kind === 'changed' ? ({ kind: 'all' } as const) : inputs.subjects;
  const subjects = selectSubjects({
    subjects: config.subjects,
    filter,
    changedFiles: null,
    templates: new Map(),
  }).subjects;
  const commit = await headCommit(run.workspace, run.sha);
  core.info(`nightly: ${config.name} at ${commit.slice(0, 12)}: ${subjects.map((s) => s.name).join(', ')}`);

  const outDir = path.join(run.temp, 'bootgate', 'nightly');
  await mkdir(outDir, { recursive: true });
  stages.stage('bootgate: restore caches');
  const cacheStates = inputs.cache
    ? await restoreCaches(
        await planCaches({ subjects, commits: [commit], workspace: run.workspace, downloadDir: inputs.downloadDir }),
      )
    : [];
  stages.stage(`bootgate: build ${subjects.map((s) => s.name).join(', ')}`);
  const branch = inputs.historyBranch;
  const previous =
    branch && ctx.octokit
      ? await previousNightCommit(
          ctx.octokit,
          { owner: run.owner, repo: run.repo, branch },
          config.name,
          subjects,
          commit,
          run.workspace,
        )
      : null;
  const callbacks = stages.engineCallbacks(
    previous
      ? `bootgate: boot the previous night's ${previous.slice(0, 12)} and tonight's commit, interleaved`
      : 'bootgate: boot',
  );
  const jsonFile = path.join(outDir, 'results.json');
  let doc: ResultsDocument;
  let interrupted: boolean;
  let sinceLastNight: { comparison: Comparison; markdown: string } | null = null;
  if (previous) {
    // tonight's boots are the head side of a gate against the previous night's commit
    const outcome = await runGate({
      subjects,
      repo: run.workspace,
      base: previous,
      head: commit,
      outDir: path.join(outDir, 'since-previous-night'),
      gate: gateOptions(inputs, config.subjects),
      runsOverride: inputs.runs,
      maxRunsOverride: inputs.maxRuns,
      warmupOverride: inputs.warmup,
      log: callbacks.log,
      onBoot: callbacks.onBoot,
      signal: ctx.signal,
      worktreeDir: path.join(run.temp, 'bootgate-worktrees'),
      configName: config.name,
      reportTitle: `bootgate: since the previous night (${previous.slice(0, 12)} → ${commit.slice(0, 12)})`,
      // the history needs tonight's boot times even when the image did not change
      bootIdenticalImages: true,
    });
    doc = { ...outcome.head, subjects: outcome.head.subjects.map((s) => ({ ...s, variant: null })) };
    interrupted = outcome.interrupted;
    sinceLastNight = { comparison: outcome.comparison, markdown: outcome.markdown };
    await writeResults(jsonFile, doc);
  } else {
    ({ doc, interrupted } = await runMeasure(subjects, {
      jsonFile,
      outDir,
      signal: ctx.signal,
      log: callbacks.log,
      onBoot: callbacks.onBoot,
      runsOverride: inputs.runs,
      warmupOverride: inputs.warmup,
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
    if (moved === 'regression')
      core.warning(
        `bootgate: the changes since the previous night made boot time slower: ${sinceLastNight.comparison.subjects
          .filter((x) => x.state === 'regression')
          .map((x) => `${x.name}: ${x.reason}`)
          .join('; ')}`,
      );
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
    markdown += `\n${nightlyTrendSection(dataBranchLinks(ctx, branch, config.name), trends)}`;
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
      const content = regressionIssueContent(config.name, dataBranchLinks(ctx, branch, config.name), trends);
      // A subject that was not measured tonight cannot show that its regression is gone.
      if (!content && notBuilt.length > 0) {
        core.info('regression issue: left as it is, since not every subject was measured');
      } else {
        const result = await syncRegressionIssue(
          ctx.octokit,
          { owner: run.owner, repo: run.repo, config: config.name },
          content,
          `The nightly run ${run.runUrl ?? ''} no longer finds a sustained regression; closing.`,
        );
        if (result.action !== 'none') core.info(`regression issue ${result.action}: ${result.url}`);
      }
    } catch (error) {
      core.warning(
        `regression issue: cannot update it (${(error as Error).message}); the job needs \`permissions: issues: write\``,
      );
    }
  }
  const failed = doc.subjects.filter((s) => s.summary.failed > 0);
  if (failed.length > 0)
    core.warning(`boots failed: ${failed.map((s) => `${s.name} ${s.summary.failed}/${s.summary.total}`).join(', ')}`);
  if (notBuilt.length > 0) {
    core.setFailed(
      `bootgate: not built at ${commit.slice(0, 12)}, so not measured: ${notBuilt.map((s) => `${s.name} (${s.notBuilt!.stage}: ${s.notBuilt!.reason})`).join('; ')}`,
    );
  }
  if (sustained.length > 0) {
    const message = `bootgate: sustained regression in ${sustained.map((t) => `${t.subject} (+${t.sustained!.currentShiftPct.toFixed(1)} %)`).join(', ')}`;
    if (inputs.failOnRegression) core.setFailed(message);
    else core.warning(message);
  }
}

async function appendToHistory(
  ctx: ModeContext,
  configName: string,
  branch: string,
  doc: ResultsDocument,
  identity: RunIdentity,
): Promise<SubjectTrend[]> {
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
        const previous =
          text === null
            ? null
            : parseHistory(text, `${branch}:${paths.data}`, { config: configName, subject: result.name });
        const file = appendEntry(previous, entryFromResult(result, doc, identity), {
          config: configName,
          subject: result.name,
          os: result.os,
        });
        const trend = analyseHistory(file, paths.chart, {
          alpha: ctx.inputs.alpha,
          thresholdPct: ctx.inputs.threshold.thresholdPct ?? DEFAULT_GATE_OPTIONS.thresholdPct,
        });
        trends.push(trend);
        written.push(file);
        updates.push({ path: paths.data, content: serializeHistory(file) });
        updates.push({
          path: paths.chart,
          content: renderTrendSvg(
            `${result.name} (${configName}): median boot ms per nightly run`,
            trend.points,
            trend.changePoints,
          ),
        });
      }
      updates.push(
        ...(await dashboardUpdates(written, read, list, {
          config: configName,
          repoUrl: `${ctx.run.serverUrl}/${ctx.run.owner}/${ctx.run.repo}`,
          alpha: ctx.inputs.alpha,
          thresholdPct: ctx.inputs.threshold.thresholdPct ?? DEFAULT_GATE_OPTIONS.thresholdPct,
          log: (line) => core.warning(line),
        })),
      );
      return updates;
    },
  });
  core.info(
    `history: ${doc.subjects.filter((r) => !r.notBuilt).length} subject(s) added to ${branch} in commit ${commit.slice(0, 12)}${attempts > 1 ? ` after ${attempts} attempts` : ''}`,
  );
  return trends;
}
