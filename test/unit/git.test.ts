import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, gitBytes, GitError, gitOutput } from '../../src/build/git.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function repo(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-git-'));
  dirs.push(dir);
  await gitOutput(['init', '-q'], { cwd: dir });
  return dir;
}

describe('git wrapper', () => {
  it("says ok with trimmed output, or not ok with git's own words", async () => {
    const dir = await repo();
    const top = await git(['rev-parse', '--show-toplevel'], { cwd: dir });
    expect(top).toMatchObject({ ok: true, reason: '' });
    expect(top.stdout).toBe(await gitOutput(['rev-parse', '--show-toplevel'], { cwd: dir }));
    const bad = await git(['rev-parse', '--verify', 'no-such-ref'], { cwd: dir });
    expect(bad.ok).toBe(false);
    expect(bad.reason).toMatch(/no-such-ref|Needed a single revision/);
  });

  it('throws a GitError naming the command and the folder', async () => {
    const dir = await repo();
    const err = await gitOutput(['cat-file', '-e', 'deadbeef^{commit}'], { cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toContain(`git cat-file -e deadbeef^{commit} failed in ${dir}`);
  });

  it('never waits for input and stops at its timeout', async () => {
    const dir = await repo();
    // `git hash-object --stdin` would read stdin forever if it were open
    const hashed = await git(['hash-object', '--stdin'], { cwd: dir, timeoutMs: 20_000 });
    expect(hashed).toMatchObject({ ok: true, stdout: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391' });
    const slow = await git(['-c', 'alias.wait=!sleep 30', 'wait'], { cwd: dir, timeoutMs: 300 });
    expect(slow).toMatchObject({ ok: false, reason: 'timed out after 0.3 s' });
  });

  it('returns bytes as git wrote them', async () => {
    const dir = await repo();
    const r = await gitBytes(['hash-object', '--stdin'], { cwd: dir });
    expect(r.ok).toBe(true);
    expect(r.stdout.toString()).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\n');
  });
});
