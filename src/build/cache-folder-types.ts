// What a builder declares about the folders it leaves for a later run (its own file, so the
// builders and cache-folders.ts, which collects them, do not import each other).
export interface CacheFolders {
  /** what it holds, for the log */
  label: string;
  /** the kind of thing, first in the key: `embox-images`, `rumprun-toolchain`, … */
  kind: string;
  paths: string[];
  /** which folders these are (a download folder, a checkout): entries of another scope are never restored here */
  scope: string[];
  /** what identifies the content: a change in any part gives another key */
  content: string[];
  /**
   * on a miss, the newest entry of the same kind and scope may be restored: only for folders whose
   * content the builder checks before reuse (content-addressed entries, ccache, verified archives)
   */
  restoreNewest: boolean;
  /** compiled for this runner: the key carries the runner's OS and arch */
  compiled: boolean;
}

export interface CacheFoldersContext {
  /** the repository checkout the subjects' paths point into */
  workspace: string;
  /** the commits built: base and head, or the one nightly commit */
  commits: readonly string[];
  /** where the gate makes a work tree per commit (git-worktree.ts worktreePath); none: builds in place */
  worktreeDir?: string;
  /** the action's `download-dir` input: Embox subjects without their own folder share it */
  downloadDir?: string;
}
