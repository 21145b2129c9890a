// Commits to the data branch through the Git Data REST API, as a compare-and-swap on the branch:
// read the tip, build a commit on it, move the ref with force: false. When another run moved the
// ref first, GitHub answers 422 (not a fast-forward); the update is rebuilt on the new tip and
// tried again, so two racing nightly runs both land.
import type { Octokit } from '../comment.js';

export interface FileUpdate {
  path: string;
  content: string;
}

export interface CommitOptions {
  owner: string;
  repo: string;
  branch: string;
  message: string;
  /**
   * Builds the files to write from the branch's current content; called again on every retry, so it
   * must start from what `read` returns, not from an earlier attempt.
   */
  build: (read: (path: string) => Promise<string | null>, list: () => Promise<string[]>) => Promise<FileUpdate[]>;
  maxAttempts?: number;
  log?: (line: string) => void;
  /** ms to wait before attempt n (from 2); default grows with n, with jitter so racers spread out */
  backoffMs?: (attempt: number) => number;
}

export class DataBranchError extends Error {
  override readonly name = 'DataBranchError';
}

const status = (error: unknown): number | undefined => (error as { status?: number } | null)?.status;

function explain(error: unknown, what: string, branch: string): Error {
  const code = status(error);
  if (code === 403 || code === 401) {
    return new DataBranchError(
      `${what} on the data branch "${branch}" was refused (${code}): the job needs \`permissions: contents: write\` for the history (or set history-branch: none)`,
    );
  }
  return new DataBranchError(`${what} on the data branch "${branch}" failed: ${(error as Error).message}`);
}

const defaultBackoff = (attempt: number): number => Math.min(8000, 250 * 2 ** (attempt - 2)) * (0.5 + Math.random());

export async function commitToBranch(
  octokit: Octokit,
  options: CommitOptions,
): Promise<{ commit: string; attempts: number }> {
  const { owner, repo, branch } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const backoff = options.backoffMs ?? defaultBackoff;
  const ref = `heads/${branch}`;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, backoff(attempt)));

    let parent: string | null = null;
    let baseTree: string | null = null;
    try {
      const { data } = await octokit.rest.git.getRef({ owner, repo, ref });
      parent = data.object.sha;
      const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: parent });
      baseTree = commit.tree.sha;
    } catch (error) {
      if (status(error) !== 404) throw explain(error, 'reading', branch);
    }

    let listing: Map<string, string> | null = null;
    const list = async (): Promise<Map<string, string>> => {
      if (!baseTree) return new Map();
      if (!listing) {
        const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: baseTree, recursive: 'true' });
        if (data.truncated) throw new DataBranchError(`the data branch "${branch}" has too many files to list`);
        listing = new Map(data.tree.filter((t) => t.type === 'blob' && t.path && t.sha).map((t) => [t.path, t.sha]));
      }
      return listing;
    };
    const read = async (path: string): Promise<string | null> => {
      if (!baseTree) return null;
      const sha = (await list()).get(path);
      if (!sha) return null;
      const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: sha });
      return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    };

    let newCommit: string;
    try {
      const updates = await options.build(read, async () => [...(await list()).keys()]);
      const { data: tree } = await octokit.rest.git.createTree({
        owner,
        repo,
        ...(baseTree ? { base_tree: baseTree } : {}),
        tree: updates.map((u) => ({
          path: u.path,
          mode: '100644' as const,
          type: 'blob' as const,
          content: u.content,
        })),
      });
      const { data: commit } = await octokit.rest.git.createCommit({
        owner,
        repo,
        message: options.message,
        tree: tree.sha,
        parents: parent ? [parent] : [],
      });
      newCommit = commit.sha;
    } catch (error) {
      if (error instanceof DataBranchError || status(error) === undefined) throw error;
      throw explain(error, 'writing', branch);
    }

    try {
      if (parent) await octokit.rest.git.updateRef({ owner, repo, ref, sha: newCommit, force: false });
      else await octokit.rest.git.createRef({ owner, repo, ref: `refs/${ref}`, sha: newCommit });
      return { commit: newCommit, attempts: attempt };
    } catch (error) {
      // 422: the tip moved (not a fast-forward) or the branch was created meanwhile; 409: conflict.
      if (status(error) === 422 || status(error) === 409) {
        options.log?.(
          `data branch "${branch}" moved during the update (attempt ${attempt} of ${maxAttempts}); rebuilding on the new tip`,
        );
        continue;
      }
      throw explain(error, 'moving the branch', branch);
    }
  }
  throw new DataBranchError(`the data branch "${branch}" kept moving: gave up after ${maxAttempts} attempts`);
}
