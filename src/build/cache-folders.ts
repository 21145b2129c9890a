// What each builder leaves behind that a later run can reuse, and what identifies it. The builders
// say it (embox/cache-folders.ts, rumprun/cache-folders.ts); the action's cache (github/cache.ts)
// only hands it to @actions/cache, so the folders cached are the folders the builders fill.
import type { Subject } from '../config/subjects.js';
import { emboxCacheFolders } from './embox/cache-folders.js';
import { rumprunCacheFolders } from './rumprun/cache-folders.js';

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

/**
 * Every subject's reusable folders. A custom `build-command` builds the user's own files in the
 * work tree: bootgate cannot tell what they depend on, so it caches nothing for it (a workflow can
 * cache its own build folders); fixtures are built by tests and benchmarks, not by the action.
 */
export async function cacheFoldersOf(subjects: readonly Subject[], context: CacheFoldersContext): Promise<CacheFolders[]> {
  return [
    ...(await emboxCacheFolders(subjects.filter((s) => s.os === 'embox'), context)),
    ...(await rumprunCacheFolders(subjects.filter((s) => s.os === 'rumprun'), context)),
  ];
}
