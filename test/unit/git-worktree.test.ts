import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { defaultBase, ensureWorktree, repoRoot, resolveCommit } from '../../src/build/git-worktree.js';
import { ConfigError } from '../../src/config/errors.js';

async function repoWithBranch(): Promise<{ dir: string; git: (...a: string[]) => Promise<string> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-git-'));
  const git = async (...args: string[]) => String((await execa('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args])).stdout).trim();
  await git('init', '-q', '-b', 'main');
  await writeFile(path.join(dir, 'f'), 'base\n');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  await git('checkout', '-q', '-b', 'feature');
  await writeFile(path.join(dir, 'f'), 'head\n');
  await git('commit', '-qam', 'head');
  return { dir, git };
}

describe('git work trees for base and head', () => {
  it('defaults the base to the merge-base with the default branch', async () => {
    const { dir, git } = await repoWithBranch();
    const head = await resolveCommit(dir, 'HEAD', '--head');
    expect(await defaultBase(dir, head)).toBe(await git('rev-parse', 'main'));
  });

  it('makes a detached work tree per commit and reuses it', async () => {
    const { dir, git } = await repoWithBranch();
    const parent = await mkdtemp(path.join(os.tmpdir(), 'bootgate-wt-'));
    const base = await git('rev-parse', 'main');
    const tree = await ensureWorktree(dir, base, parent);
    expect(await readFile(path.join(tree, 'f'), 'utf8')).toBe('base\n');
    expect(await ensureWorktree(dir, base, parent)).toBe(tree);
    // the user's checkout is untouched
    expect(await readFile(path.join(dir, 'f'), 'utf8')).toBe('head\n');
  });

  it('names the flag when a ref or the repository is wrong', async () => {
    const { dir } = await repoWithBranch();
    await expect(resolveCommit(dir, 'no-such-ref', '--base')).rejects.toThrow(/--base: "no-such-ref" is not a commit/);
    await expect(repoRoot(os.tmpdir())).rejects.toBeInstanceOf(ConfigError);
  });
});
