// One issue per config for a sustained nightly regression: opened when one appears, updated while
// it lasts, closed with a comment when the level comes back. Found by a hidden marker.
import type { Octokit } from '../comment.js';

export function issueMarker(config: string): string {
  return `<!-- bootgate-nightly:${config.replace(/[^\w./-]/g, '_').replace(/-{2,}/g, '-')} -->`;
}

interface ListedIssue {
  number: number;
  html_url: string;
  body?: string | null;
  pull_request?: unknown;
}

export async function findOpenIssue(
  octokit: Octokit,
  owner: string,
  repo: string,
  marker: string,
): Promise<ListedIssue | null> {
  const issues = (await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: 'open',
    per_page: 100,
  })) as ListedIssue[];
  return issues.find((i) => !i.pull_request && (i.body ?? '').includes(marker)) ?? null;
}

export type IssueAction = { action: 'opened' | 'updated' | 'closed'; url: string } | { action: 'none' };

/** `body` null: nothing regressed; an open issue is closed. */
export async function syncRegressionIssue(
  octokit: Octokit,
  target: { owner: string; repo: string; config: string },
  content: { title: string; body: string } | null,
  resolvedNote: string,
): Promise<IssueAction> {
  const marker = issueMarker(target.config);
  const open = await findOpenIssue(octokit, target.owner, target.repo, marker);
  const { owner, repo } = target;
  if (!content) {
    if (!open) return { action: 'none' };
    await octokit.rest.issues.createComment({ owner, repo, issue_number: open.number, body: resolvedNote });
    await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: open.number,
      state: 'closed',
      state_reason: 'completed',
    });
    return { action: 'closed', url: open.html_url };
  }
  const body = `${marker}\n${content.body}`;
  if (open) {
    await octokit.rest.issues.update({ owner, repo, issue_number: open.number, title: content.title, body });
    return { action: 'updated', url: open.html_url };
  }
  const { data } = await octokit.rest.issues.create({ owner, repo, title: content.title, body });
  return { action: 'opened', url: data.html_url };
}
