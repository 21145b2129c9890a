// mode: pr (and merge): build base and head of the pull request, boot them interleaved, decide,
// and publish: job summary, sticky comment (or the fork artifact), outputs, failure.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import type { Subject } from '../config/subjects.js';
import { DEFAULT_RUNS } from '../engine/measure.js';
import { runGate } from '../engine/gate.js';
import type { ResultsDocument } from '../measure/results.js';
import { readResults, writeResults } from '../measure/results-file.js';
import { describeIssues } from '../config/load.js';
import { z } from 'zod';
import { renderGateReport, reportMarker } from '../report/markdown.js';
import { clip, codeBlock, escapeMarkdown, keepEnd } from '../report/escape.js';
import type { VerdictState } from '../stats/index.js';
import { compareResults, type Comparison } from '../compare/index.js';
import { gateOptions } from '../engine/gate-options.js';
import { downloadShards, shardArtifactName, uploadFolder } from './artifacts.js';
import { planCaches, restoreCaches, saveCaches } from './cache.js';
import { findAcceptance, withAcceptance } from './accept-label.js';
import { upsertComment, type Octokit } from './comment.js';
import type { PullRequestInfo, RunContext } from './context.js';
import type { ActionInputs, Shard } from './inputs.js';
import {
  failOnNotBuilt,
  failOnVerdict,
  publishToPullRequest,
  PR_META_SCHEMA,
  setGateOutputs,
  writeJobSummary,
  type GateFiles,
  type PrMeta,
} from './publish.js';
import { selectSubjects, type Skipped } from './select.js';
import { mergeShardDocuments, shardRuns } from './shard.js';
import type { StageLog } from './stages.js';
import {
  ensureCommit,
  listChangedFiles,
  loadConfig,
  probeTemplates,
  templateFoldersAt,
  type LoadedConfig,
} from './workspace.js';

export interface ModeContext {
  run: RunContext;
  inputs: ActionInputs;
  octokit: Octokit | null;
  signal: AbortSignal;
  stages: StageLog;
}

export const SHARD_META_FILE = 'bootgate-shard.json';

interface ShardMeta {
  schema: 'bootgate/shard@1';
  index: number;
  count: number;
  config: string;
  skipped: Skipped[];
  baseSha: string;
  headSha: string;
}

/** The PR this run is for; refuses the event that holds a write token while running PR code. */
export function requirePullRequest(run: RunContext, mode: string): PullRequestInfo {
  if (run.eventName === 'pull_request_target') {
    throw new Error(
      `mode ${mode} refuses to run on pull_request_target: that event gives the job a token that can write to ` +
        "the repository, and building and booting the pull request's code in it would hand that token to the PR. " +
        'Run mode pr on the pull_request event; for fork PRs, post the comment with mode report from a separate ' +
        'workflow_run workflow (see docs/action.md of bootgate, "Pull requests from forks").',
    );
  }
  if (!run.pullRequest) {
    throw new Error(
      `mode ${mode} needs a pull_request event; this run's event is "${run.eventName || 'unknown'}". ` +
        'Use mode nightly for push, schedule or workflow_dispatch runs.',
    );
  }
  return run.pullRequest;
}

function applyShard(
  subjects: Subject[],
  inputs: ActionInputs,
  shard: Shard | undefined,
): { subjects: Subject[]; runsOverride: number | undefined } {
  if (!shard) return { subjects, runsOverride: inputs.runs };
  if (inputs.runs !== undefined) return { subjects, runsOverride: shardRuns(inputs.runs, shard) };
  return {
    subjects: subjects.map((s) => ({
      ...s,
      settings: { ...s.settings, runs: shardRuns(s.settings.runs ?? DEFAULT_RUNS, shard) },
    })),
    runsOverride: undefined,
  };
}

function nothingMeasuredReport(configName: string, skipped: readonly Skipped[], notes: readonly string[]): string {
  const lines = [
    reportMarker(configName),
    '### bootgate: boot time',
    '',
    '**Nothing measured** — this pull request touches no subject of the config.',
    '',
  ];
  if (notes.length > 0) lines.push(...notes.map((n) => `- ${escapeMarkdown(n)}`), '');
  if (skipped.length > 0)
    lines.push('Not measured:', ...skipped.map((s) => `- ${escapeMarkdown(s.name)}: ${escapeMarkdown(s.reason)}`), '');
  return lines.join('\n');
}

/** What the PR hears when the run itself failed: the error, so that the check does not end in silence. */
export function failureReport(configName: string, error: string, runUrl: string | null): string {
  const lines = error.split('\n');
  const out = [
    reportMarker(configName),
    '### bootgate: boot time',
    '',
    `**Failed** — bootgate could not finish this check: ${escapeMarkdown(clip(lines[0] ?? '', 300))}`,
    '',
  ];
  const rest = lines.slice(1).join('\n').trim();
  if (rest) out.push(codeBlock(keepEnd(rest, 3000).text, 'text'), '');
  out.push(
    runUrl ? `The log is in the workflow run: ${escapeMarkdown(runUrl)}` : 'The log is in the workflow run.',
    '',
  );
  return out.join('\n');
}

/**
 * Runs a PR mode. When it fails (not when it is cancelled) the job summary and, for a
 * same-repository PR, the sticky comment say so before the step fails.
 */
async function reportingFailure(
  ctx: ModeContext,
  pr: PullRequestInfo,
  configName: string,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.stages.close();
    const markdown = failureReport(configName, error instanceof Error ? error.message : String(error), ctx.run.runUrl);
    await writeJobSummary(markdown);
    if (!pr.isFork && !ctx.inputs.shard && ctx.octokit && ctx.inputs.comment !== 'never') {
      try {
        const target = { owner: ctx.run.owner, repo: ctx.run.repo, issueNumber: pr.number };
        await upsertComment(ctx.octokit, target, {
          marker: reportMarker(configName),
          body: markdown,
          policy: ctx.inputs.comment,
          verdict: 'inconclusive',
        });
      } catch (commentError) {
        core.warning(`comment: cannot write the failure notice: ${(commentError as Error).message}`);
      }
    }
    throw error;
  }
}

/** Report, summary, outputs, comment or artifact, then the step's failure if asked. */
async function finish(
  ctx: ModeContext,
  pr: PullRequestInfo,
  config: { name: string },
  result: { comparison: Comparison | null; markdown: string; files: GateFiles; skipped: Skipped[] },
): Promise<void> {
  const verdict: VerdictState | 'nothing measured' = result.comparison ? result.comparison.state : 'nothing measured';
  const acceptance =
    verdict === 'regression' || verdict === 'inconclusive'
      ? await findAcceptance(
          ctx.octokit,
          { owner: ctx.run.owner, repo: ctx.run.repo, issueNumber: pr.number },
          ctx.inputs.acceptLabel,
        )
      : null;
  if (acceptance) result = { ...result, markdown: withAcceptance(result.markdown, acceptance) };
  await writeFile(result.files.report, result.markdown);
  ctx.stages.stage('bootgate: publish');
  await writeJobSummary(result.markdown);
  setGateOutputs(verdict === 'nothing measured' ? 'no change' : verdict, result.files, result.comparison);
  const meta: PrMeta = {
    schema: PR_META_SCHEMA,
    prNumber: pr.number,
    baseSha: pr.baseSha,
    headSha: pr.headSha,
    config: config.name,
    skipped: result.skipped,
    verdict,
    runUrl: ctx.run.runUrl,
  };
  await publishToPullRequest({
    run: ctx.run,
    inputs: ctx.inputs,
    octokit: ctx.octokit,
    pr,
    configName: config.name,
    markdown: result.markdown,
    files: result.files,
    meta,
  });
  ctx.stages.close();
  const detail =
    result.comparison?.subjects
      .filter((s) => s.state === verdict)
      .map((s) => `${s.name}: ${s.reason}`)
      .join('; ') ?? '';
  if (acceptance)
    core.notice(`bootgate: ${verdict} accepted by @${acceptance.by} (label "${acceptance.label}"): ${detail}`);
  else failOnVerdict(verdict, ctx.inputs, detail);
  failOnNotBuilt(result.comparison);
}

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
    await finish(ctx, pr, config, {
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
  await finish(ctx, pr, config, {
    comparison: outcome.comparison,
    markdown,
    files: { ...outcome.files, dir: outDir },
    skipped: selection.skipped,
  });
}

async function finishShard(
  ctx: ModeContext,
  config: LoadedConfig,
  shard: Shard,
  pr: PullRequestInfo,
  skipped: Skipped[],
  outDir: string,
  localState: VerdictState,
): Promise<void> {
  const meta: ShardMeta = {
    schema: 'bootgate/shard@1',
    index: shard.index,
    count: shard.count,
    config: config.name,
    skipped,
    baseSha: pr.baseSha,
    headSha: pr.headSha,
  };
  await writeFile(path.join(outDir, SHARD_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  ctx.stages.stage(`bootgate: upload shard ${shard.index}/${shard.count}`);
  await uploadFolder(shardArtifactName(shard.index), outDir);
  ctx.stages.close();
  await writeJobSummary(
    `### bootgate: shard ${shard.index}/${shard.count} of ${escapeMarkdown(config.name)}\n\nThis shard's boots are in the artifact \`${shardArtifactName(shard.index)}\`; a job with \`mode: merge\` combines the shards and decides (this shard alone: ${localState}).\n`,
  );
  setGateOutputs(localState, {
    base: path.join(outDir, 'base.json'),
    head: path.join(outDir, 'head.json'),
    report: path.join(outDir, 'report.md'),
    dir: outDir,
  });
}

const shardMetaSchema = z.object({
  schema: z.literal('bootgate/shard@1'),
  index: z.number().int().min(1).max(256),
  count: z.number().int().min(1).max(256),
  config: z.string().max(1000),
  skipped: z.array(z.object({ name: z.string().max(1000), reason: z.string().max(4000) })).max(1000),
  baseSha: z.string().max(100),
  headSha: z.string().max(100),
});

async function readShardMeta(dir: string): Promise<ShardMeta> {
  const text = await readFile(path.join(dir, SHARD_META_FILE), 'utf8');
  const parsed = shardMetaSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `${describeIssues(path.join(dir, SHARD_META_FILE), parsed.error.issues.slice(0, 5))}\n${dir}: not a bootgate shard`,
    );
  return parsed.data;
}

/** mode: merge — every shard's boots, one verdict, one comment. */
export async function runMergeMode(ctx: ModeContext): Promise<void> {
  const pr = requirePullRequest(ctx.run, 'merge');
  await reportingFailure(ctx, pr, ctx.inputs.config, () => mergeMode(ctx, pr));
}

async function mergeMode(ctx: ModeContext, pr: PullRequestInfo): Promise<void> {
  const { run, inputs, stages } = ctx;
  const outDir = path.join(run.temp, 'bootgate', 'merge');
  stages.stage('bootgate: download shards');
  const shards = await downloadShards(path.join(outDir, 'shards'));
  if (shards.length === 0) {
    throw new Error(
      'mode merge: this run has no bootgate-shard-<i> artifacts; run the matrix jobs with `shard: i/n` first and make the merge job `needs:` them',
    );
  }
  const metas = await Promise.all(shards.map((s) => readShardMeta(s.dir)));
  const count = metas[0]!.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !shards.some((s) => s.index === i));
  if (missing.length > 0)
    core.warning(`merge: shard(s) ${missing.join(', ')} of ${count} uploaded nothing; deciding on the others`);
  if (metas.some((m) => m.headSha !== pr.headSha || m.baseSha !== pr.baseSha)) {
    throw new Error(
      `merge: the shards measured other commits than this PR's base ${pr.baseSha.slice(0, 12)} / head ${pr.headSha.slice(0, 12)}`,
    );
  }
  const bases: ResultsDocument[] = [];
  const heads: ResultsDocument[] = [];
  for (const s of shards) {
    bases.push(await readResults(path.join(s.dir, 'base.json')));
    heads.push(await readResults(path.join(s.dir, 'head.json')));
  }
  const base = mergeShardDocuments(bases);
  const head = mergeShardDocuments(heads);
  for (const [docs, merged] of [
    [bases, base],
    [heads, head],
  ] as const) {
    const builtSomewhere = new Set(merged.subjects.filter((s) => !s.notBuilt).map((s) => s.name));
    const flaky = new Set(
      docs
        .flatMap((d) => d.subjects)
        .filter((s) => s.notBuilt && builtSomewhere.has(s.name))
        .map((s) => `${s.name} [${s.variant ?? '-'}]`),
    );
    if (flaky.size > 0)
      core.warning(
        `merge: ${[...flaky].join(', ')} did not build in some shards but did in others; deciding on the boots of those that built`,
      );
  }
  core.info(
    `merged ${shards.length} shards: ${head.subjects.map((s) => `${s.name} ${s.boots.length} boots per side`).join(', ')}`,
  );

  let configSubjects: Subject[] = [];
  try {
    configSubjects = (await loadConfig(inputs, run)).subjects;
  } catch (error) {
    core.info(`merge: config not readable here (${(error as Error).message}); per-subject thresholds not applied`);
  }
  const comparison = compareResults(base.subjects, head.subjects, gateOptions(inputs, configSubjects));
  const configName = metas[0]!.config;
  const skipped = metas[0]!.skipped;
  const files: GateFiles = {
    base: path.join(outDir, 'base.json'),
    head: path.join(outDir, 'head.json'),
    report: path.join(outDir, 'report.md'),
    dir: outDir,
  };
  await writeResults(files.base!, base);
  await writeResults(files.head!, head);
  const markdown = renderGateReport(comparison, { base, head, configName, skipped, runUrl: run.runUrl ?? undefined });
  stages.close();
  await finish(ctx, pr, { name: configName }, { comparison, markdown, files, skipped });
}
