import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { git as runGit, gitOutput } from './git.js';

/** checking out a large tree on a busy runner takes a while */
const WORKTREE_TIMEOUT_MS = 10 * 60_000;
/** a fresh work tree's `submodule update` clones Embox's and Rumprun's third-party trees */
const SUBMODULE_TIMEOUT_MS = 30 * 60_000;

const git = (repo: string, args: string[]): Promise<string> =>
  gitOutput(args, { cwd: repo, timeoutMs: WORKTREE_TIMEOUT_MS });

export async function repoRoot(dir: string): Promise<string> {
  try {
    return await git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new ConfigError(
      `--repo / source: "${dir}" is not inside a git repository; gate builds base and head from git work trees`,
    );
  }
}

export async function resolveCommit(repo: string, ref: string, flag: string): Promise<string> {
  try {
    return await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new ConfigError(`${flag}: "${ref}" is not a commit in ${repo}`);
  }
}

/** The default base: merge-base of HEAD with the default branch (origin/HEAD, else main or master). */
export async function defaultBase(repo: string, head: string): Promise<string> {
  const candidates = ['origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'];
  for (const candidate of candidates) {
    const exists = await runGit(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`], { cwd: repo });
    if (!exists.ok) continue;
    const base = await git(repo, ['merge-base', head, candidate]);
    if (base && base !== head) return base;
  }
  throw new ConfigError(
    `--base: not given, and no default branch (origin/HEAD, main, master) differs from HEAD in ${repo}; give --base REF`,
  );
}

/** Written into a work tree's own git folder once its submodules are checked out too. */
const COMPLETE_MARKER = 'bootgate-complete';

async function completionMarker(dir: string): Promise<string> {
  return path.join(await git(dir, ['rev-parse', '--absolute-git-dir']), COMPLETE_MARKER);
}

/** Where ensureWorktree puts the work tree of `commit`. */
export function worktreePath(parent: string, commit: string): string {
  return path.join(parent, commit.slice(0, 12));
}

/**
 * A detached work tree of `commit`, so base and head can be built side by side without
 * touching the user's checkout. Reused when it already exists at that commit and was completed
 * (submodules included); a half-made one (a failed or interrupted `git submodule update`) is
 * recreated.
 */
export async function ensureWorktree(
  repo: string,
  commit: string,
  parent: string,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const dir = worktreePath(parent, commit);
  let exists = false;
  try {
    await access(path.join(dir, '.git'));
    exists = true;
  } catch {
    // not there yet
  }
  if (exists) {
    const at = await git(dir, ['rev-parse', 'HEAD']).catch(() => null);
    const complete =
      at === commit && (await readFile(await completionMarker(dir), 'utf8').catch(() => null)) === commit;
    if (complete) return dir;
    if (at === commit)
      log(
        `${dir}: work tree left incomplete by an earlier run (its submodule update failed or was interrupted); recreating it`,
      );
    await git(repo, ['worktree', 'remove', '--force', dir]).catch(() => rm(dir, { recursive: true, force: true }));
  }
  await mkdir(parent, { recursive: true });
  await git(repo, ['worktree', 'prune']);
  await git(repo, ['worktree', 'add', '--detach', '--force', dir, commit]);
  // Embox and Rumprun keep third-party code in submodules; a fresh work tree needs them too.
  const modules = await runGit(['submodule', 'update', '--init', '--recursive'], {
    cwd: dir,
    timeoutMs: SUBMODULE_TIMEOUT_MS,
  });
  if (!modules.ok) throw new Error(`git submodule update failed in ${dir}: ${modules.reason}`);
  await writeFile(await completionMarker(dir), commit);
  return dir;
}
