// Nightly, like with like: besides measuring tonight's commit, boot the previous night's commit in
// the same job, interleaved, and decide "did last night's changes move boot time" with the gate's
// statistics. Hosted runners differ from night to night; two commits booted side by side do not.
import * as core from '@actions/core';
import { git } from '../build/git.js';
import type { Subject } from '../config/subjects.js';
import type { Octokit } from './comment.js';
import { historyPaths, parseHistory } from '../history/model.js';

/** Reads files of a branch through the Git Data API; null for a missing file or branch. */
export async function readBranchFiles(
  octokit: Octokit,
  target: { owner: string; repo: string; branch: string },
  paths: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>(paths.map((p) => [p, null]));
  let tree: string;
  try {
    const { data: ref } = await octokit.rest.git.getRef({
      owner: target.owner,
      repo: target.repo,
      ref: `heads/${target.branch}`,
    });
    const { data: commit } = await octokit.rest.git.getCommit({
      owner: target.owner,
      repo: target.repo,
      commit_sha: ref.object.sha,
    });
    tree = commit.tree.sha;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return out;
    throw error;
  }
  const { data } = await octokit.rest.git.getTree({
    owner: target.owner,
    repo: target.repo,
    tree_sha: tree,
    recursive: 'true',
  });
  const shas = new Map(data.tree.filter((t) => t.type === 'blob' && t.path && t.sha).map((t) => [t.path, t.sha]));
  for (const p of paths) {
    const sha = shas.get(p);
    if (!sha) continue;
    const { data: blob } = await octokit.rest.git.getBlob({ owner: target.owner, repo: target.repo, file_sha: sha });
    out.set(p, Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'));
  }
  return out;
}

/**
 * The commit of the latest night in the history of these subjects, when it is another commit than
 * tonight's and the workspace has it (fetched if needed); else null, with the reason logged.
 */
export async function previousNightCommit(
  octokit: Octokit,
  target: { owner: string; repo: string; branch: string },
  configName: string,
  subjects: readonly Subject[],
  tonight: string,
  workspace: string,
): Promise<string | null> {
  let latest: { at: string; commit: string } | null = null;
  try {
    const paths = subjects.map((s) => historyPaths(configName, s.name).data);
    const files = await readBranchFiles(octokit, target, paths);
    for (const [p, text] of files) {
      if (text === null) continue;
      const last = parseHistory(text, `${target.branch}:${p}`).entries.at(-1);
      if (last && (!latest || last.at > latest.at)) latest = { at: last.at, commit: last.commit };
    }
  } catch (error) {
    core.info(
      `previous night: cannot read the history (${(error as Error).message}); measuring tonight's commit alone`,
    );
    return null;
  }
  if (!latest) {
    core.info("previous night: no history yet; measuring tonight's commit alone");
    return null;
  }
  if (latest.commit === tonight) {
    core.info(`previous night: measured the same commit ${tonight.slice(0, 12)}; measuring it alone`);
    return null;
  }
  const has = async (): Promise<boolean> =>
    (await git(['cat-file', '-e', `${latest.commit}^{commit}`], { cwd: workspace })).ok;
  if (!(await has()))
    await git(['fetch', '--quiet', '--no-tags', 'origin', latest.commit], { cwd: workspace, timeoutMs: 300_000 });
  if (!(await has())) {
    core.info(
      `previous night: commit ${latest.commit.slice(0, 12)} is not in this checkout and cannot be fetched; measuring tonight's commit alone`,
    );
    return null;
  }
  return latest.commit;
}
