// The end of a PR mode (pr, merge): the report, job summary, outputs, comment or fork artifact,
// the step's failure when asked, and the notice that a run which failed still leaves on the PR.
import { writeFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { reportMarker } from '../report/markdown.js';
import { clip, codeBlock, escapeMarkdown, keepEnd } from '../report/escape.js';
import type { VerdictState } from '../stats/index.js';
import type { Comparison } from '../compare/index.js';
import { findAcceptance, withAcceptance } from './accept-label.js';
import { upsertComment } from './comment.js';
import type { PullRequestInfo } from './context.js';
import type { ModeContext } from './mode-context.js';
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
import type { Skipped } from './select.js';

export function nothingMeasuredReport(
  configName: string,
  skipped: readonly Skipped[],
  notes: readonly string[],
): string {
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
export async function reportingFailure(
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
export async function finishPr(
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
