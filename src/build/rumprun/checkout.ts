import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bootgateCacheDir } from '../../config/cache-dir.js';
import { git as runGit } from '../git.js';
import { RumprunToolchainError } from './toolchain.js';

/** Where a Rumprun subject without `source` gets its pinned checkout (and toolchain); the action caches it. */
export function rumprunCheckoutParent(): string {
  return path.join(bootgateCacheDir(), 'rumprun-src');
}

/** The Rumprun commit bootgate builds when a subject names no checkout (the last one on master). */
export const PINNED_RUMPRUN = {
  url: 'https://github.com/rumpkernel/rumprun',
  commit: 'b04d42225a12a6fae57a78a9c1cf23642e46cd00',
} as const;

/** a clone of rumprun with its NetBSD sources takes minutes */
const CLONE_TIMEOUT_MS = 30 * 60_000;

async function git(args: string[], cwd?: string): Promise<void> {
  const result = await runGit(args, { ...(cwd ? { cwd } : {}), timeoutMs: CLONE_TIMEOUT_MS });
  if (!result.ok)
    throw new RumprunToolchainError(`git ${args.join(' ')} failed${cwd ? ` in ${cwd}` : ''}: ${result.reason}`);
}

/**
 * A Rumprun checkout at the pinned commit with its submodules (buildrump.sh, src-netbsd), cloned
 * once into `parent` and reused. The URL can be pointed at a mirror with BOOTGATE_RUMPRUN_URL.
 */
/** Where ensurePinnedRumprun keeps the checkout of `commit` (its toolchain is built inside it, in `rumprun/`). */
export function pinnedRumprunDir(parent: string, commit: string = PINNED_RUMPRUN.commit): string {
  return path.join(parent, `rumprun-${commit.slice(0, 12)}`);
}

export async function ensurePinnedRumprun(
  parent: string,
  log: (line: string) => void,
  source: { url: string; commit: string } = {
    url: process.env.BOOTGATE_RUMPRUN_URL ?? PINNED_RUMPRUN.url,
    commit: PINNED_RUMPRUN.commit,
  },
): Promise<string> {
  const dir = pinnedRumprunDir(parent, source.commit);
  try {
    await access(path.join(dir, '.bootgate-complete'));
    return dir;
  } catch {
    // not cloned yet, or an interrupted clone: start over
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(parent, { recursive: true });
  log(`rumprun: no checkout given; cloning ${source.url} at ${source.commit.slice(0, 12)} with submodules`);
  await git(['clone', '--quiet', '--no-checkout', source.url, tmp]);
  await git(['checkout', '--quiet', '--detach', source.commit], tmp);
  // protocol.file.allow: a mirror on disk (file:// or a path) is allowed for the submodules too
  await git(['-c', 'protocol.file.allow=always', 'submodule', 'update', '--init', '--quiet'], tmp);
  await writeFile(path.join(tmp, '.bootgate-complete'), `${source.commit}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}
