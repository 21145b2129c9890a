// An intended regression accepted by a maintainer: while the PR carries the accept label
// (input `accept-label`, default boot-time-accepted) the check passes, and the comment still shows
// the verdict and who added the label. The issue's event list says who added it and when.
import * as core from '@actions/core';
import { escapeMarkdown, inlineCode } from '../report/escape.js';
import type { Octokit } from './comment.js';

export interface Acceptance {
  label: string;
  by: string;
  at: string;
}

interface LabelEvent {
  event: string;
  label?: { name?: string } | null;
  actor?: { login?: string } | null;
  created_at?: string;
}

/** Who added `label` to the PR last, when the label is still on it (its last event is "labeled"). */
export function acceptanceFromEvents(events: readonly LabelEvent[], label: string): Acceptance | null {
  let last: LabelEvent | null = null;
  for (const e of events) {
    if ((e.event === 'labeled' || e.event === 'unlabeled') && e.label?.name === label) last = e;
  }
  if (!last || last.event !== 'labeled') return null;
  return { label, by: last.actor?.login ?? 'unknown', at: last.created_at ?? '' };
}

/** The acceptance, or null (no label, no token, or the events could not be read: then nothing is accepted). */
export async function findAcceptance(
  octokit: Octokit | null,
  target: { owner: string; repo: string; issueNumber: number },
  label: string,
): Promise<Acceptance | null> {
  if (!octokit || label === '') return null;
  try {
    const events = (await octokit.paginate(octokit.rest.issues.listEvents, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100,
    })) as LabelEvent[];
    return acceptanceFromEvents(events, label);
  } catch (error) {
    core.warning(
      `bootgate: could not read the PR's label events (${(error as Error).message}); the label "${label}" is not honoured this run`,
    );
    return null;
  }
}

/** The line the report gets under its verdict. */
export function acceptanceLine(a: Acceptance): string {
  const when = a.at ? ` on ${a.at.slice(0, 10)}` : '';
  return `Accepted: @${escapeMarkdown(a.by)} added the label ${inlineCode(a.label)}${when}, so this check passes; the verdict above stands as measured.`;
}

/** Puts the acceptance line right under the verdict line (the first line starting with "**"). */
export function withAcceptance(markdown: string, a: Acceptance): string {
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => l.startsWith('**'));
  if (at < 0) return `${acceptanceLine(a)}\n\n${markdown}`;
  lines.splice(at + 1, 0, '', acceptanceLine(a));
  return lines.join('\n');
}
