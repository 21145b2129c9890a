// mode: report — runs in a workflow_run workflow of the base repository (a write token, no PR code
// executed) and turns a fork PR run's `bootgate-report` artifact into the sticky comment.
//
// The artifact was produced by code the PR author controls, so nothing in it is trusted: the PR
// number is checked against the triggering run's head commit, the verdict is recomputed here from
// the results with this workflow's thresholds, and the Markdown is rendered here (escaped), never
// copied from the artifact.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import type { ResultsDocument } from '../measure/results.js';
import { readResults } from '../measure/results-file.js';
import { ResultsValidationError } from '../measure/results-schema.js';
import { renderGateReport, reportMarker } from '../report/markdown.js';
import type { VerdictState } from '../stats/index.js';
import { compareResults, type Comparison } from '../compare/index.js';
import { gateOptions } from '../engine/gate-options.js';
import { downloadFromRun, REPORT_ARTIFACT } from './artifacts.js';
import { upsertComment } from './comment.js';
import type { ModeContext } from './mode-context.js';
import { PR_META_FILE, PR_META_SCHEMA, setGateOutputs, writeJobSummary } from './publish.js';
import type { Skipped } from './select.js';
import { loadConfig } from './workspace.js';

/** Larger files are not read: a results document of 1000 boots is well under 5 MB. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_SKIPPED = 100;

async function readBounded(file: string): Promise<string> {
  const { size } = await stat(file);
  if (size > MAX_FILE_BYTES)
    throw new Error(`${path.basename(file)} in the artifact is ${size} bytes; refusing more than ${MAX_FILE_BYTES}`);
  return readFile(file, 'utf8');
}

/**
 * The artifact's config name, when it is a plain relative path inside the workspace (no `..`, not
 * absolute, printable characters); otherwise this workflow's `config` input.
 */
export function trustedConfigPath(fromArtifact: string, input: string): string {
  if (fromArtifact === '') return input;
  const segments = fromArtifact.split(/[\\/]/);
  const safe =
    !path.isAbsolute(fromArtifact) &&
    !/^[A-Za-z]:/.test(fromArtifact) &&
    /^[\w./ -]+$/.test(fromArtifact) &&
    !segments.includes('..') &&
    segments.some((s) => s !== '' && s !== '.');
  if (safe) return fromArtifact;
  core.warning(
    `report: the artifact's config path is not a relative path inside the workspace; using the config input "${input}"`,
  );
  return input;
}

/** Posted instead of the report when the artifact's results fail validation: fixed text only. */
export function refusedNotice(marker: string): string {
  return [
    marker,
    '### bootgate: boot time',
    '',
    "**Not reported** — the results uploaded by this pull request's workflow run failed validation, so nothing from them is shown here. The log of the report workflow names the field.",
    '',
  ].join('\n');
}

interface TrustedMeta {
  prNumber: number;
  config: string;
  skipped: Skipped[];
}

/** The fields of bootgate-pr.json this mode uses, checked; everything else in it is ignored. */
export function parsePrMeta(text: string): TrustedMeta {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (raw['schema'] !== PR_META_SCHEMA) throw new Error(`${PR_META_FILE}: expected schema ${PR_META_SCHEMA}`);
  const prNumber = raw['prNumber'];
  if (typeof prNumber !== 'number' || !Number.isInteger(prNumber) || prNumber <= 0)
    throw new Error(`${PR_META_FILE}: prNumber must be a positive integer`);
  const config = typeof raw['config'] === 'string' ? raw['config'].slice(0, 200) : '';
  const skipped = Array.isArray(raw['skipped'])
    ? raw['skipped']
        .filter(isNameReason)
        .slice(0, MAX_SKIPPED)
        .map((s) => ({ name: s.name.slice(0, 200), reason: s.reason.slice(0, 500) }))
    : [];
  return { prNumber, config, skipped };
}

export async function runReportMode(ctx: ModeContext): Promise<void> {
  const { run, inputs, stages } = ctx;
  const wr = run.workflowRun;
  if (!wr) {
    throw new Error(
      `mode report runs in a workflow triggered by workflow_run (of the workflow that runs mode pr); this run's event is "${run.eventName || 'unknown'}"`,
    );
  }
  if (!ctx.octokit)
    throw new Error('mode report needs input "github-token" (with pull-requests: write and actions: read)');
  const outDir = path.join(run.temp, 'bootgate', 'report');
  stages.stage(`bootgate: download ${REPORT_ARTIFACT} of run ${wr.id}`);
  const dir = await downloadFromRun(
    REPORT_ARTIFACT,
    { token: inputs.token, runId: wr.id, owner: run.owner, repo: run.repo },
    path.join(outDir, 'artifact'),
  );
  if (!dir) {
    core.info(
      `run ${wr.id} has no ${REPORT_ARTIFACT} artifact: it commented itself (same-repository PR), measured nothing, or failed before reporting`,
    );
    stages.close();
    return;
  }
  const meta = parsePrMeta(await readBounded(path.join(dir, PR_META_FILE)));

  // The artifact names the PR; the triggering run names the commit. Only post when they agree.
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(wr.headSha)) {
    throw new Error(
      `report: run ${wr.id} has no head commit in its event (head_sha ${JSON.stringify(wr.headSha.slice(0, 80))}); cannot check that the artifact belongs to PR #${meta.prNumber}, so nothing is posted`,
    );
  }
  const { data: pull } = await ctx.octokit.rest.pulls.get({
    owner: run.owner,
    repo: run.repo,
    pull_number: meta.prNumber,
  });
  if (pull.head.sha !== wr.headSha) {
    core.warning(
      `report: PR #${meta.prNumber}'s head is ${pull.head.sha.slice(0, 12)} but run ${wr.id} measured ${wr.headSha.slice(0, 12)}; not posting a stale or mismatched report`,
    );
    stages.close();
    return;
  }

  const configName = trustedConfigPath(meta.config, inputs.config);
  const marker = reportMarker(configName);
  let base: ResultsDocument | null;
  let head: ResultsDocument | null;
  let refused: ResultsValidationError | null = null;
  try {
    base = await readResults(path.join(dir, 'base.json'), MAX_FILE_BYTES);
    head = await readResults(path.join(dir, 'head.json'), MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof ResultsValidationError) refused = error;
    else core.info(`report: no results in the artifact (${(error as Error).message})`);
    base = head = null;
  }
  if (refused) {
    // Nothing from a refused document reaches the PR: a fixed notice, the reason only in this log.
    core.error(`report: the artifact of run ${wr.id} was refused: ${refused.message}`);
    stages.stage(`bootgate: comment on PR #${meta.prNumber}`);
    const notice = refusedNotice(marker);
    const outcome = await upsertComment(
      ctx.octokit,
      { owner: run.owner, repo: run.repo, issueNumber: meta.prNumber },
      {
        marker,
        body: notice,
        policy: inputs.comment,
        verdict: 'inconclusive',
      },
    );
    core.info(`comment: ${outcome.action} — ${outcome.reason}${outcome.url ? ` (${outcome.url})` : ''}`);
    stages.close();
    await writeJobSummary(notice);
    throw new Error(
      `report: the results in the artifact of run ${wr.id} failed validation (see the error above); posted a notice instead of the report`,
    );
  }
  let configSubjects: Awaited<ReturnType<typeof loadConfig>>['subjects'] = [];
  try {
    configSubjects = (await loadConfig({ ...inputs, config: configName }, run)).subjects;
  } catch {
    // The config lives in the PR's repository; this workflow may not have checked it out.
  }
  let markdown: string;
  let verdict: VerdictState;
  let comparison: Comparison | null = null;
  if (base && head) {
    comparison = compareResults(base.subjects, head.subjects, gateOptions(inputs, configSubjects));
    markdown = renderGateReport(comparison, {
      base,
      head,
      configName,
      skipped: meta.skipped,
      runUrl: wr.htmlUrl ?? undefined,
    });
    verdict = comparison.state;
  } else {
    markdown = [
      marker,
      '### bootgate: boot time',
      '',
      '**Nothing measured** — this pull request touches no subject of the config.',
      '',
    ].join('\n');
    verdict = 'no change';
  }
  const reportFile = path.join(outDir, 'report.md');
  await writeFile(reportFile, markdown);
  stages.stage(`bootgate: comment on PR #${meta.prNumber}`);
  const outcome = await upsertComment(
    ctx.octokit,
    { owner: run.owner, repo: run.repo, issueNumber: meta.prNumber },
    {
      marker,
      body: markdown,
      policy: inputs.comment,
      verdict,
    },
  );
  core.info(`comment: ${outcome.action} — ${outcome.reason}${outcome.url ? ` (${outcome.url})` : ''}`);
  if (outcome.url) core.setOutput('comment-url', outcome.url);
  stages.close();
  await writeJobSummary(markdown);
  setGateOutputs(
    verdict,
    {
      base: base ? path.join(dir, 'base.json') : null,
      head: head ? path.join(dir, 'head.json') : null,
      report: reportFile,
      dir,
    },
    comparison,
  );
}

function isNameReason(s: unknown): s is { name: string; reason: string } {
  if (typeof s !== 'object' || s === null) return false;
  const { name, reason } = s as { name?: unknown; reason?: unknown };
  return typeof name === 'string' && typeof reason === 'string';
}
