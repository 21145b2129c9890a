// The sticky PR comment: one per config, found by its hidden marker among all of the PR's
// comments (every page), updated in place, never duplicated.
import type { getOctokit } from '@actions/github';
import type { VerdictState } from '../stats/index.js';
import type { CommentPolicy } from './inputs.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface MarkedComment {
  id: number;
  url: string;
  body: string;
}

interface ListedComment {
  id: number;
  html_url: string;
  body?: string | null;
  user?: { type?: string } | null;
}

/**
 * The comment that carries `marker`. Among several (someone quoted the report), a bot's comment
 * wins: that is the one this action wrote and can edit.
 */
export async function findMarkedComment(octokit: Octokit, target: CommentTarget, marker: string): Promise<MarkedComment | null> {
  const comments = (await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })) as ListedComment[];
  const marked = comments.filter((c) => (c.body ?? '').includes(marker));
  const pick = marked.find((c) => c.user?.type === 'Bot') ?? marked[0];
  return pick ? { id: pick.id, url: pick.html_url, body: pick.body ?? '' } : null;
}

export type CommentAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface CommentOutcome {
  action: CommentAction;
  url: string | null;
  reason: string;
}

/**
 * Creates or updates the marked comment, following the `comment` input: `never` touches nothing;
 * `on-change` writes only when the verdict is not "no change" or a comment already exists (so a
 * comment that once reported a regression is updated when it is fixed).
 */
export async function upsertComment(
  octokit: Octokit,
  target: CommentTarget,
  options: { marker: string; body: string; policy: CommentPolicy; verdict: VerdictState | 'nothing measured' },
): Promise<CommentOutcome> {
  if (options.policy === 'never') return { action: 'skipped', url: null, reason: 'comment: never' };
  if (!options.body.includes(options.marker)) throw new Error('internal: the comment body lacks its marker; it could never be found again');
  const existing = await findMarkedComment(octokit, target, options.marker);
  if (!existing && options.policy === 'on-change' && (options.verdict === 'no change' || options.verdict === 'nothing measured')) {
    return { action: 'skipped', url: null, reason: `comment: on-change and the verdict is "${options.verdict}" with no earlier comment` };
  }
  if (existing) {
    if (existing.body === options.body) return { action: 'unchanged', url: existing.url, reason: 'the comment already says this' };
    const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body: options.body });
    return { action: 'updated', url: data.html_url, reason: `updated comment ${existing.id}` };
  }
  const { data } = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.issueNumber, body: options.body });
  return { action: 'created', url: data.html_url, reason: `created comment ${data.id}` };
}

/** True for the errors a read-only token gets on a write (fork PRs, Dependabot, missing permissions). */
export function isPermissionError(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  return status === 403 || status === 404 || status === 401;
}
