// Where a verdict goes: outputs, the job summary, the sticky PR comment, or (a fork's read-only
// token) the `bootgate-report` artifact that the companion workflow turns into the comment.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { reportMarker } from '../report/markdown.js';
import type { VerdictState } from '../stats/index.js';
import type { Comparison } from '../compare/index.js';
import { REPORT_ARTIFACT, uploadFolder } from './artifacts.js';
import { isPermissionError, upsertComment, type Octokit } from './comment.js';
import type { PullRequestInfo, RunContext } from './context.js';
import type { ActionInputs } from './inputs.js';
import type { Skipped } from './select.js';

/** What a PR run hands to the companion workflow, beside base.json, head.json and report.md. */
export const PR_META_FILE = 'bootgate-pr.json';
export const PR_META_SCHEMA = 'bootgate/pr-report@1';

export interface PrMeta {
  schema: typeof PR_META_SCHEMA;
  prNumber: number;
  baseSha: string;
  headSha: string;
  config: string;
  skipped: Skipped[];
  verdict: VerdictState | 'nothing measured';
  runUrl: string | null;
}

export interface GateFiles {
  base: string | null;
  head: string | null;
  report: string;
  /** the results folder (base.json, head.json, report.md, logs) */
  dir: string;
}

export const COMPANION_HINT =
  "This pull request comes from a fork, so this run's token cannot comment. The report, results and PR number " +
  `were uploaded as the artifact "${REPORT_ARTIFACT}". To have them posted as the PR comment, add the companion ` +
  'workflow docs/workflows/bootgate-report.yml of bootgate to the base repository (on: workflow_run of this ' +
  'workflow, permissions pull-requests: write and actions: read, with mode: report).';

export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    core.info('job summary: GITHUB_STEP_SUMMARY is not set; skipped');
    return;
  }
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`job summary: cannot write it: ${(error as Error).message}`);
  }
}

/** `no change` → `no-change`: a verdict usable in `if:` expressions without quoting spaces. */
export function verdictSlug(verdict: string): string {
  return verdict.trim().toLowerCase().replace(/\s+/g, '-');
}

/** The `comparison` output: the numbers behind the verdict, compact (no per-boot data). */
export function comparisonOutput(c: Comparison): object {
  const round = (v: number | null | undefined, digits = 3): number | null =>
    typeof v === 'number' && Number.isFinite(v) ? Number(v.toFixed(digits)) : null;
  return {
    schema: 'bootgate/comparison@1',
    verdict: verdictSlug(c.state),
    options: {
      alpha: c.options.alpha,
      thresholdPct: c.options.thresholdMs === undefined ? c.options.thresholdPct : null,
      thresholdMs: c.options.thresholdMs ?? null,
      moduleThresholdMs: c.options.moduleThresholdMs ?? null,
      instructionsThresholdPct: c.options.instructionsThresholdPct,
    },
    subjects: c.subjects.map((s) => ({
      name: s.name,
      os: s.os,
      verdict: verdictSlug(s.state),
      reason: s.reason,
      // the wall-clock threshold this subject was judged with ('3 %' or '40 ms')
      threshold: s.threshold,
      notBuilt: { base: s.base.notBuilt?.stage ?? null, head: s.head.notBuilt?.stage ?? null },
      boots: {
        base: { ok: s.base.summary.n, total: s.base.summary.total },
        head: { ok: s.head.summary.n, total: s.head.summary.total },
      },
      boot: s.boot && {
        baseMedianMs: round(s.boot.baseMedian),
        headMedianMs: round(s.boot.headMedian),
        changePct: round(s.boot.pct),
        ciPct: s.boot.ciPct.map((v) => round(v)),
        p: round(s.boot.p, 6),
        shiftMs: round(s.boot.shiftMs),
      },
      firstHttp200: s.http && {
        baseMedianMs: round(s.http.baseMedian),
        headMedianMs: round(s.http.headMedian),
        changePct: round(s.http.pct),
        p: round(s.http.p, 6),
      },
      instructions: s.instructions && {
        verdict: verdictSlug(s.instructions.state),
        base: s.instructions.base,
        head: s.instructions.head,
        changePct: round(s.instructions.pct),
      },
      modules: s.modules
        .slice(0, 10)
        .map((m) => ({ name: m.name, baseMs: round(m.baseMs), headMs: round(m.headMs), deltaMs: round(m.deltaMs) })),
      imageDelta: s.imageDelta,
    })),
    unmatched: c.unmatched,
  };
}

/**
 * Outputs: `verdict` as a slug (`no-change`, `regression`, `improvement`, `inconclusive`) for `if:`
 * expressions, the human wording in `verdict-text`, and the `comparison` JSON when there is one.
 */
export function setGateOutputs(verdict: string, files: GateFiles, comparison?: Comparison | null): void {
  core.setOutput('verdict', verdictSlug(verdict));
  core.setOutput('verdict-text', verdict);
  core.setOutput('report-path', files.report);
  core.setOutput('results-path', files.dir);
  if (comparison) core.setOutput('comparison', JSON.stringify(comparisonOutput(comparison)));
}

/** Uploads what the companion workflow needs; never a write to the repository. */
export async function uploadForkReport(files: GateFiles, meta: PrMeta, stagingDir: string): Promise<void> {
  await mkdir(stagingDir, { recursive: true });
  if (files.base) await copyFile(files.base, path.join(stagingDir, 'base.json'));
  if (files.head) await copyFile(files.head, path.join(stagingDir, 'head.json'));
  await copyFile(files.report, path.join(stagingDir, 'report.md'));
  await writeFile(path.join(stagingDir, PR_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  await uploadFolder(REPORT_ARTIFACT, stagingDir);
}

export interface PublishOptions {
  run: RunContext;
  inputs: ActionInputs;
  octokit: Octokit | null;
  pr: PullRequestInfo;
  configName: string;
  markdown: string;
  files: GateFiles;
  meta: PrMeta;
}

/**
 * The PR comment, or on a fork the artifact (no write call at all: the token could not make one).
 * A same-repository run whose token turns out read-only (Dependabot, restricted permissions)
 * falls back to the artifact too.
 */
export async function publishToPullRequest(options: PublishOptions): Promise<void> {
  const { pr, inputs } = options;
  const staging = path.join(options.files.dir, 'fork-report');
  if (pr.isFork) {
    await uploadForkReport(options.files, options.meta, staging);
    core.notice(COMPANION_HINT);
    return;
  }
  if (inputs.comment === 'never') {
    core.info('comment: never — no PR comment');
    return;
  }
  if (!options.octokit) {
    core.warning('comment: no github-token; no PR comment written');
    return;
  }
  try {
    const outcome = await upsertComment(
      options.octokit,
      { owner: options.run.owner, repo: options.run.repo, issueNumber: pr.number },
      {
        marker: reportMarker(options.configName),
        body: options.markdown,
        policy: inputs.comment,
        verdict: options.meta.verdict,
      },
    );
    core.info(`comment: ${outcome.action} — ${outcome.reason}${outcome.url ? ` (${outcome.url})` : ''}`);
    if (outcome.url) core.setOutput('comment-url', outcome.url);
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    core.warning(
      `comment: the token cannot write to PR #${pr.number} (${(error as Error).message}); uploading the report as the "${REPORT_ARTIFACT}" artifact instead`,
    );
    await uploadForkReport(options.files, options.meta, staging);
    core.notice(COMPANION_HINT);
  }
}

/**
 * Subjects that could not be built. Built on neither side, a subject was not gated at all: the step
 * fails (after the report is out) so that a broken setup is not mistaken for a pass. Base not built
 * where head is: said, not failed. Head not built where base is: a regression, failed by failOnVerdict.
 */
export function failOnNotBuilt(comparison: Comparison | null): void {
  if (!comparison) return;
  for (const s of comparison.subjects.filter((x) => x.base.notBuilt && !x.head.notBuilt))
    core.notice(`bootgate: ${s.name}: ${s.reason}`);
  // Even an accepted regression (accept label) does not cover a head that does not build.
  const broken = comparison.subjects.filter((x) => x.head.notBuilt && !x.base.notBuilt);
  if (broken.length > 0)
    core.setFailed(
      `bootgate: head does not build: ${broken.map((x) => `${x.name} (${x.head.notBuilt!.stage}: ${x.head.notBuilt!.reason})`).join('; ')}`,
    );
  const neither = comparison.subjects.filter((x) => x.base.notBuilt && x.head.notBuilt);
  if (neither.length > 0) {
    core.setFailed(
      `bootgate: not built on base nor on head, so not gated: ${neither.map((x) => `${x.name} (${x.head.notBuilt!.stage}: ${x.head.notBuilt!.reason})`).join('; ')}`,
    );
  }
}

/** Fails the step per fail-on-regression / fail-on-inconclusive; an inconclusive verdict always warns. */
export function failOnVerdict(verdict: VerdictState | 'nothing measured', inputs: ActionInputs, detail: string): void {
  if (verdict === 'regression') {
    const message = `bootgate: regression — ${detail}`;
    if (inputs.failOnRegression) core.setFailed(message);
    else core.warning(`${message} (fail-on-regression: false)`);
  } else if (verdict === 'inconclusive') {
    const message = `bootgate: the verdict is inconclusive — the data cannot decide (${detail}); see the report for how many more boots would`;
    if (inputs.failOnInconclusive) core.setFailed(message);
    else core.warning(message);
  }
}
