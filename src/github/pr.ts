// mode: pr: build base and head of the pull request, boot them interleaved, decide, and publish
// (pr-finish.ts); with `shard: i/n`, boot a share and upload it for mode merge (merge-mode.ts).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { runGate } from '../engine/gate.js';
import { gateOptions } from '../engine/gate-options.js';
import { renderGateReport } from '../report/markdown.js';
import { planCaches, restoreCaches, saveCaches } from './cache.js';
import type { PullRequestInfo } from './context.js';
import { applyShard, finishShard } from './merge-mode.js';
import { requirePullRequest, type ModeContext } from './mode-context.js';
import { finishPr, nothingMeasuredReport, reportingFailure } from './pr-finish.js';
import { setGateOutputs, type GateFiles } from './publish.js';
import { selectSubjects } from './select.js';
import { ensureCommit, listChangedFiles, loadConfig, probeTemplates, templateFoldersAt } from './workspace.js';

export async function runPrMode(ctx: ModeContext): Promise<void> {
  const pr = requirePullRequest(ctx.run, 'pr');
  await reportingFailure(ctx, pr, ctx.inputs.config, () => prMode(ctx, pr));
}

async function prMode(ctx: ModeContext, pr: PullRequestInfo): Promise<void> {
  const { run, inputs, stages } = ctx;
  stages.stage('bootgate: config and subjects');
  const config = await loadConfig(inputs, run);
  core.info(
    `PR #${pr.number}: base ${pr.baseSha.slice(0, 12)} (${pr.baseRef}) → head ${pr.headSha.slice(0, 12)} (${pr.headRef})${pr.isFork ? `, from the fork ${pr.headRepo ?? '(deleted)'}` : ''}`,
  );
  await ensureCommit(run.workspace, pr.baseSha, 'base');
  await ensureCommit(run.workspace, pr.headSha, 'head');

  const needsFiles =
    inputs.subjects.kind === 'changed' && config.subjects.some((s) => s.os === 'embox' && s.settings.template);
  const files = needsFiles ? await listChangedFiles(ctx.octokit, run, pr) : null;
  const templateFolders = files ? await templateFoldersAt(run.workspace, pr.headSha) : undefined;
  const templates = files
    ? await probeTemplates(run.workspace, pr.headSha, files, config.subjects, templateFolders)
    : new Map();
  const selection = selectSubjects({
    subjects: config.subjects,
    filter: inputs.subjects,
    changedFiles: files,
    templates,
    ...(templateFolders ? { templateFolders } : {}),
  });
  for (const note of selection.notes) core.info(note);
  for (const s of selection.skipped) core.info(`skipped template ${s.name}: ${s.reason}`);
  core.info(`measuring: ${selection.subjects.map((s) => s.name).join(', ') || '(nothing)'}`);

  const outDir = path.join(run.temp, 'bootgate', inputs.shard ? `shard-${inputs.shard.index}` : 'pr');
  await mkdir(outDir, { recursive: true });
  if (selection.subjects.length === 0) {
    const files: GateFiles = { base: null, head: null, report: path.join(outDir, 'report.md'), dir: outDir };
    await finishPr(ctx, pr, config, {
      comparison: null,
      markdown: nothingMeasuredReport(config.name, selection.skipped, selection.notes),
      files,
      skipped: selection.skipped,
    });
    return;
  }

  const { subjects, runsOverride } = applyShard(selection.subjects, inputs, inputs.shard);
  stages.stage('bootgate: restore caches');
  const worktreeDir = path.join(run.temp, 'bootgate-worktrees');
  const cacheStates = inputs.cache
    ? await restoreCaches(
        await planCaches({
          subjects,
          commits: [pr.baseSha, pr.headSha],
          workspace: run.workspace,
          downloadDir: inputs.downloadDir,
          worktreeDir,
        }),
      )
    : [];

  stages.stage(`bootgate: build ${subjects.map((s) => s.name).join(', ')} at base and head`);
  const callbacks = stages.engineCallbacks('bootgate: boot base and head, interleaved');
  const outcome = await runGate({
    subjects,
    repo: run.workspace,
    base: pr.baseSha,
    head: pr.headSha,
    outDir,
    gate: gateOptions(inputs, config.subjects),
    runsOverride,
    // A shard cannot see the other shards' boots: each boots its fixed share, merge decides on all.
    maxRunsOverride: inputs.shard ? 1 : inputs.maxRuns,
    warmupOverride: inputs.warmup,
    log: callbacks.log,
    onBoot: callbacks.onBoot,
    signal: ctx.signal,
    worktreeDir,
    configName: config.name,
  });
  stages.stage('bootgate: save caches');
  await saveCaches(cacheStates);
  stages.close();
  if (outcome.interrupted) {
    core.setFailed('bootgate: interrupted; the boots recorded so far are in the results folder');
    setGateOutputs('inconclusive', { ...outcome.files, dir: outDir });
    return;
  }

  if (inputs.shard) {
    await finishShard(ctx, config, inputs.shard, pr, selection.skipped, outDir, outcome.comparison.state);
    return;
  }
  const markdown = renderGateReport(outcome.comparison, {
    base: outcome.base,
    head: outcome.head,
    configName: config.name,
    skipped: selection.skipped,
    runUrl: run.runUrl ?? undefined,
  });
  await finishPr(ctx, pr, config, {
    comparison: outcome.comparison,
    markdown,
    files: { ...outcome.files, dir: outDir },
    skipped: selection.skipped,
  });
}
