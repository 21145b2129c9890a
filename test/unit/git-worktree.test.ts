import { mkdtemp, readdir, readFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBase, ensureWorktree, repoRoot, resolveCommit } from '../../src/build/git-worktree.js';
import { ConfigError } from '../../src/config/errors.js';
import { createRepo, type TestRepo } from '../helpers/fixture-repo.js';

/** A repository whose main holds f = "base" and whose checked-out branch feature holds f = "head". */
async function repoWithBranch(): Promise<TestRepo> {
  const repo = await createRepo();
  await repo.commit({ f: 'base\n' }, 'base');
  await repo.git('checkout', '-q', '-b', 'feature');
  await repo.commit({ f: 'head\n' }, 'head');
  return repo;
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

  it('recreates a work tree whose submodule update failed instead of building it with empty submodules', async () => {
    // submodules from a local path: allowed for this test only (git refuses the file protocol by default)
    const saved = { ...process.env };
    Object.assign(process.env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'protocol.file.allow',
      GIT_CONFIG_VALUE_0: 'always',
    });
    try {
      const lib = await repoWithBranch();
      const { dir, git } = await repoWithBranch();
      await git('submodule', 'add', '-q', lib.dir, 'lib');
      await git('commit', '-qm', 'with lib');
      const commit = await git('rev-parse', 'HEAD');
      const parent = await mkdtemp(path.join(os.tmpdir(), 'bootgate-wt-'));
      // the submodule's source is unreachable: the first attempt fails half-way
      await rename(lib.dir, `${lib.dir}.away`);
      await expect(ensureWorktree(dir, commit, parent)).rejects.toThrow(/git submodule update failed/);
      await rename(`${lib.dir}.away`, lib.dir);
      const logged: string[] = [];
      const tree = await ensureWorktree(dir, commit, parent, (l) => logged.push(l));
      expect(await readdir(path.join(tree, 'lib'))).toContain('f');
      expect(logged.join('\n')).toMatch(/left incomplete by an earlier run .*recreating it/);
      // complete now: reused without a word
      logged.length = 0;
      expect(await ensureWorktree(dir, commit, parent, (l) => logged.push(l))).toBe(tree);
      expect(logged).toEqual([]);
    } finally {
      process.env = saved;
    }
  });
});
