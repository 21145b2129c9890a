// What identifies an Embox build: the source tree (git's tree plus uncommitted changes), the
// template, the overrides' content and the compilers.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gitBytes } from '../git.js';

async function hashFiles(
  root: string,
  rel: string,
  hash: ReturnType<typeof createHash>,
  skip: (name: string) => boolean,
): Promise<void> {
  const full = path.join(root, rel);
  let info;
  try {
    info = await lstat(full);
  } catch {
    return;
  }
  if (info.isSymbolicLink()) {
    hash.update(`L ${rel} ${await readlink(full)}\n`);
  } else if (info.isDirectory()) {
    const names = (await readdir(full)).filter((n) => !skip(n)).sort();
    for (const n of names) await hashFiles(root, path.join(rel, n), hash, skip);
  } else if (info.isFile()) {
    hash.update(`F ${rel} ${info.size}\n`);
    hash.update(await readFile(full));
  }
}

/** Fingerprint of the tree: git's tree of HEAD plus uncommitted changes, or a hash of the sources when not a git checkout. */
export async function sourceFingerprint(dir: string): Promise<string> {
  // a large tree on a busy runner: diffing it can take a while
  const git = (args: string[]): Promise<{ ok: boolean; stdout: Buffer }> =>
    gitBytes(args, { cwd: dir, timeoutMs: 5 * 60_000 });
  const tree = await git(['rev-parse', 'HEAD:./']);
  if (tree.ok) {
    const hash = createHash('sha256');
    hash.update(`git-tree ${tree.stdout.toString().trim()}\n`);
    const diff = await git(['diff', 'HEAD', '--binary', '--no-ext-diff', '--', '.']);
    hash.update(diff.stdout);
    // untracked, not ignored files are part of what make sees too
    const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z', '--', '.']);
    for (const rel of untracked.stdout.toString().split('\0').filter(Boolean).sort())
      await hashFiles(dir, rel, hash, () => false);
    return `git:${hash.digest('hex')}`;
  }
  const hash = createHash('sha256');
  for (const part of ['Makefile', 'mk', 'src', 'third-party', 'templates', 'platform']) {
    await hashFiles(dir, part, hash, (n) => n === '.git' || n === '.cache');
  }
  return `files:${hash.digest('hex')}`;
}

/** sha256 of a folder's files (names, sizes, content, symlink targets); '' when it does not exist. */
export async function hashFolder(dir: string): Promise<string> {
  if (!(await lstat(dir).catch(() => null))) return '';
  const hash = createHash('sha256');
  await hashFiles(dir, '.', hash, () => false);
  return hash.digest('hex');
}

/** sha256 over the tree fingerprint, the template, the overrides' content and the compiler. */
export async function emboxCacheKey(parts: {
  workDir: string;
  template: string;
  overridesDir?: string;
  gcc: string;
}): Promise<string> {
  const hash = createHash('sha256');
  hash.update('bootgate-embox-build v1\n');
  hash.update(`source ${await sourceFingerprint(parts.workDir)}\n`);
  hash.update(`template ${parts.template}\n`);
  if (parts.overridesDir) {
    hash.update('overrides\n');
    await hashFiles(parts.overridesDir, '.', hash, () => false);
  }
  hash.update(`gcc ${parts.gcc}\n`);
  return hash.digest('hex');
}
