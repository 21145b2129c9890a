import { mkdtemp, chmod, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePinnedRumprun } from '../../src/build/rumprun/checkout.js';
import { checkRumprunCheckout } from '../../src/build/rumprun/toolchain.js';
import { createRepo, git, type TestRepo } from '../helpers/fixture-repo.js';

/** A repository in `dir` with one commit of `files`. */
async function repo(dir: string, files: Record<string, string>): Promise<TestRepo> {
  const created = await createRepo(dir);
  await created.commit(files, 'init');
  return created;
}

describe('Rumprun checkout when a subject names none', () => {
  it('clones the pinned commit with its submodules, once, in a form build-rr.sh accepts', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rr-upstream-'));
    await repo(path.join(root, 'buildrump.sh'), { 'buildrump.sh': '#!/bin/sh\n' });
    await repo(path.join(root, 'src-netbsd'), { README: 'netbsd\n' });
    const upstream = path.join(root, 'rumprun');
    const rumprun = await repo(upstream, { 'build-rr.sh': '#!/bin/sh\necho build\n' });
    await chmod(path.join(upstream, 'build-rr.sh'), 0o755);
    await rumprun.git('add', '--chmod=+x', 'build-rr.sh');
    // submodules from a local path: git refuses the file protocol unless asked
    await rumprun.git(
      '-c',
      'protocol.file.allow=always',
      'submodule',
      'add',
      '-q',
      path.join(root, 'buildrump.sh'),
      'buildrump.sh',
    );
    await rumprun.git(
      '-c',
      'protocol.file.allow=always',
      'submodule',
      'add',
      '-q',
      path.join(root, 'src-netbsd'),
      'src-netbsd',
    );
    const pinned = await rumprun.commit({}, 'submodules');
    await rumprun.commit({}, 'newer, not pinned');

    const parent = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rr-cache-'));
    const lines: string[] = [];
    const dir = await ensurePinnedRumprun(parent, (l) => lines.push(l), { url: upstream, commit: pinned });
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(pinned);
    await expect(checkRumprunCheckout(dir)).resolves.toEqual([]);
    expect(lines.join('\n')).toContain('cloning');
    // reused, not cloned again
    const again = await ensurePinnedRumprun(parent, (l) => lines.push(l), { url: upstream, commit: pinned });
    expect(again).toBe(dir);
    expect(lines.filter((l) => l.includes('cloning'))).toHaveLength(1);
    expect((await readdir(parent)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('says which git step failed when the commit does not exist', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rr-upstream-'));
    await repo(root, { 'build-rr.sh': '' });
    const parent = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rr-cache-'));
    await expect(
      ensurePinnedRumprun(parent, () => {}, { url: root, commit: '0123456789abcdef0123456789abcdef01234567' }),
    ).rejects.toThrow(/git checkout .* failed/);
  });
});
