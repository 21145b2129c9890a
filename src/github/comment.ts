// The sticky PR comment: one per config, found by its hidden marker among all of the PR's
// comments (every page), updated in place, never duplicated. Only a comment this token's own
// identity wrote and that starts with the marker is edited: a user's comment quoting the marker
// is left alone (a new comment is written instead).
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
  user?: { login?: string; type?: string } | null;
}

/** The GITHUB_TOKEN's identity: GET /user refuses it, and GraphQL's viewer may too (GHES). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

const loginCache = new WeakMap<Octokit, Promise<string>>();

/**
 * The login the token writes comments as: GET /user for a user token (PAT), else GraphQL's
 * `viewer` (an app installation token, the GITHUB_TOKEN included: "<app>[bot]"), else
 * github-actions[bot]. Compared with a REST comment's `user.login`.
 */
export function tokenLogin(octokit: Octokit): Promise<string> {
  let login = loginCache.get(octokit);
  if (!login) {
    login = (async () => {
      let appToken: boolean;
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch (error) {
        // An installation token (the GITHUB_TOKEN too) may not read /user: ask GraphQL.
        appToken = isPermissionError(error);
      }
      try {
        const data = await octokit.graphql<{ viewer?: { login?: unknown } }>('query { viewer { login } }');
        const login = data.viewer?.login;
        // An app's comments carry "<slug>[bot]" in REST, whichever form GraphQL gives.
        if (typeof login === 'string' && login !== '')
          return appToken && !login.endsWith('[bot]') ? `${login}[bot]` : login;
      } catch {
        // GraphQL unavailable to this token: the GITHUB_TOKEN's name is the best guess.
      }
      return ACTIONS_BOT_LOGIN;
    })();
    loginCache.set(octokit, login);
  }
  return login;
}

/** True when `body` is a report under `marker`: the marker is its first line, not a quote of it. */
export function startsWithMarker(body: string, marker: string): boolean {
  return (
    body.startsWith(marker) &&
    (body.length === marker.length || body[marker.length] === '\n' || body[marker.length] === '\r')
  );
}

/**
 * The comment this token wrote under `marker` (the first, oldest); null when there is none. Comments
 * by anyone else, or that only contain the marker somewhere, are never picked.
 */
export async function findMarkedComment(
  octokit: Octokit,
  target: CommentTarget,
  marker: string,
): Promise<MarkedComment | null> {
  const login = (await tokenLogin(octokit)).toLowerCase();
  const comments = (await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })) as ListedComment[];
  const pick = comments.find(
    (c) => (c.user?.login ?? '').toLowerCase() === login && startsWithMarker(c.body ?? '', marker),
  );
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
  if (!startsWithMarker(options.body, options.marker))
    throw new Error('internal: the comment body does not start with its marker; it could never be found again');
  const existing = await findMarkedComment(octokit, target, options.marker);
  if (
    !existing &&
    options.policy === 'on-change' &&
    (options.verdict === 'no change' || options.verdict === 'nothing measured')
  ) {
    return {
      action: 'skipped',
      url: null,
      reason: `comment: on-change and the verdict is "${options.verdict}" with no earlier comment`,
    };
  }
  if (existing) {
    if (existing.body === options.body)
      return { action: 'unchanged', url: existing.url, reason: 'the comment already says this' };
    const { data } = await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body: options.body,
    });
    return { action: 'updated', url: data.html_url, reason: `updated comment ${existing.id}` };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body: options.body,
  });
  return { action: 'created', url: data.html_url, reason: `created comment ${data.id}` };
}

/** True for the errors a read-only token gets on a write (fork PRs, Dependabot, missing permissions). */
export function isPermissionError(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  return status === 403 || status === 404 || status === 401;
}
