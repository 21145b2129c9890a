import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { bootgateCacheDir } from '../config/cache-dir.js';

/**
 * What a bootgate killed mid-way leaves in the cache: folders it was filling before renaming them
 * into place, named after its pid — `<entry>.tmp-<pid>[-<hex>]` (Embox cache entries, the Rumprun
 * clone, Linux fixture files) and `build-|extract-|download-<pid>-<hex>` (fixture builds).
 * Removed when that pid no longer runs and the folder has not changed for a while (a bootgate in
 * another container sharing the cache has pids this one cannot see).
 */
const LEFTOVER = /\.tmp-(\d+)(-[0-9a-f]+)?$|^(?:build|extract|download)-(\d+)-[0-9a-f]+$/;
/** top level, <kind>/, <kind>/<entry>/: where bootgate makes such folders */
const MAX_DEPTH = 3;
/** folders never looked into: git work trees hold the user's own files */
const SKIP = new Set(['worktrees', 'running']);
export const LEFTOVER_MIN_AGE_MS = 10 * 60_000;

function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the leftovers under `root`; returns their paths. */
export async function sweepCacheLeftovers(
  root = bootgateCacheDir(),
  log?: (line: string) => void,
  now = Date.now(),
): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const match = LEFTOVER.exec(entry.name);
      if (match) {
        const pid = Number(match[1] ?? match[3]);
        const info = await stat(full).catch(() => null);
        if (info && !running(pid) && now - info.mtimeMs > LEFTOVER_MIN_AGE_MS) {
          await rm(full, { recursive: true, force: true });
          removed.push(full);
          log?.(`bootgate: removed ${full}, left half-made by an earlier bootgate (pid ${pid}) that did not finish`);
        }
      } else if (entry.isDirectory() && depth < MAX_DEPTH && !SKIP.has(entry.name)) {
        await visit(full, depth + 1);
      }
    }
  };
  await visit(root, 1);
  return removed;
}

let swept: Promise<unknown> | null = null;

/** sweepCacheLeftovers of the bootgate cache, once per process; never fails. */
export function sweepCacheLeftoversOnce(log?: (line: string) => void): Promise<unknown> {
  swept ??= sweepCacheLeftovers(bootgateCacheDir(), log).catch(() => []);
  return swept;
}
