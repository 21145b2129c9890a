// What each builder leaves behind that a later run can reuse, and what identifies it. The builders
// say it (embox/cache-folders.ts, rumprun/cache-folders.ts); the action's cache (github/cache.ts)
// only hands it to @actions/cache, so the folders cached are the folders the builders fill.
import type { Subject } from '../config/subjects.js';
import { emboxCacheFolders } from './embox/cache-folders.js';
import { rumprunCacheFolders } from './rumprun/cache-folders.js';
import type { CacheFolders, CacheFoldersContext } from './cache-folder-types.js';

export type { CacheFolders, CacheFoldersContext } from './cache-folder-types.js';

/**
 * Every subject's reusable folders. A custom `build-command` builds the user's own files in the
 * work tree: bootgate cannot tell what they depend on, so it caches nothing for it (a workflow can
 * cache its own build folders); fixtures are built by tests and benchmarks, not by the action.
 */
export async function cacheFoldersOf(
  subjects: readonly Subject[],
  context: CacheFoldersContext,
): Promise<CacheFolders[]> {
  return [
    ...(await emboxCacheFolders(
      subjects.filter((s) => s.os === 'embox'),
      context,
    )),
    ...(await rumprunCacheFolders(
      subjects.filter((s) => s.os === 'rumprun'),
      context,
    )),
  ];
}
