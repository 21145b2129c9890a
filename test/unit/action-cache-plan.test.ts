// The action caches the folders the builders fill (src/build/cache-folders.ts), not paths of its own.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toolchainInstallDir } from '../../src/build/rumprun/toolchain.js';
import { planCaches } from '../../src/github/cache.js';

describe('what the action caches', () => {
  const saved = process.env['BOOTGATE_CACHE_DIR'];
  const savedSwitch = process.env['BOOTGATE_CCACHE'];
  let cacheDir: string;
  const dirs: string[] = [];
  const tmp = async (prefix: string): Promise<string> => {
    const d = await mkdtemp(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  beforeEach(async () => {
    cacheDir = await tmp('bootgate-cacheplan-');
    process.env['BOOTGATE_CACHE_DIR'] = cacheDir;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env['BOOTGATE_CACHE_DIR'];
    else process.env['BOOTGATE_CACHE_DIR'] = saved;
    if (savedSwitch === undefined) delete process.env['BOOTGATE_CCACHE'];
    else process.env['BOOTGATE_CCACHE'] = savedSwitch;
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it("a Rumprun subject without source: the pinned checkout under bootgate's cache folder, where the builder puts it (not <workspace>/rumprun)", async () => {
    const workspace = await tmp('bootgate-ws-');
    const entries = await planCaches({
      subjects: [{ name: 'rr', os: 'rumprun', settings: { os: 'rumprun' } }],
      commits: [],
      workspace,
      downloadDir: undefined,
    });
    const toolchain = entries.find((e) => e.label.startsWith('Rumprun toolchain'))!;
    expect(toolchain.paths).toEqual([path.join(cacheDir, 'rumprun-src', 'rumprun-b04d42225a12')]);
    expect(toolchain.key).toMatch(/^bootgate-rumprun-toolchain-/);
    expect(entries.flatMap((e) => e.paths).some((p) => p.startsWith(workspace))).toBe(false);
  });

  it('a Rumprun subject with source outside the repository: its rumprun/ install folder, a new key when its commit changes', async () => {
    const source = await tmp('bootgate-rr-');
    const run = (args: string[]): Promise<unknown> =>
      execa('git', ['-C', source, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await run(['init', '-q']);
    await writeFile(path.join(source, 'build-rr.sh'), '#!/bin/sh\n');
    await run(['add', '.']);
    await run(['commit', '-qm', 'one']);
    const plan = async (): Promise<{ paths: string[]; key: string }> =>
      (
        await planCaches({
          subjects: [{ name: 'rr', os: 'rumprun', settings: { os: 'rumprun', source } }],
          commits: [],
          workspace: await tmp('bootgate-ws-'),
          downloadDir: undefined,
        })
      )[0]!;
    const first = await plan();
    expect(first.paths).toEqual([path.join(source, 'rumprun')]);
    expect(first.paths).toEqual([toolchainInstallDir({ source })]);
    await run(['commit', '-qm', 'two', '--allow-empty']);
    expect((await plan()).key).not.toBe(first.key);
  });

  it("a Rumprun checkout inside the repository, built in each commit's work tree: nothing restored where the gate is about to create the work tree", async () => {
    const repo = await tmp('bootgate-repo-');
    await execa('git', ['-C', repo, 'init', '-q']);
    await mkdir(path.join(repo, 'rr'));
    await writeFile(path.join(repo, 'rr', 'build-rr.sh'), '#!/bin/sh\n');
    const subject = {
      name: 'rr',
      os: 'rumprun' as const,
      settings: { os: 'rumprun' as const, source: path.join(repo, 'rr') },
    };
    const worktreeDir = path.join(repo, '..', 'wt');
    expect(
      await planCaches({
        subjects: [subject],
        commits: ['0'.repeat(40)],
        workspace: repo,
        downloadDir: undefined,
        worktreeDir,
      }),
    ).toEqual([]);
    // built in place (no work trees): its rumprun/ folder
    expect(
      (await planCaches({ subjects: [subject], commits: [], workspace: repo, downloadDir: undefined }))[0]!.paths,
    ).toEqual([path.join(repo, 'rr', 'rumprun')]);
  });

  it('Embox ccache objects: restorable from the newest entry for the same compiler, and only when ccache is used', async () => {
    const workspace = await tmp('bootgate-ws-');
    const subjects = [{ name: 'e', os: 'embox' as const, settings: { os: 'embox' as const, source: workspace } }];
    const hasCcache = (await execa('ccache', ['--version'], { reject: false })).exitCode === 0;
    const entries = await planCaches({ subjects, commits: [], workspace, downloadDir: undefined });
    const ccache = entries.find((e) => e.label === 'Embox ccache');
    if (hasCcache) {
      expect(ccache!.paths).toEqual([path.join(cacheDir, 'ccache')]);
      expect(ccache!.key.startsWith(ccache!.restoreKeys[0]!)).toBe(true);
    } else {
      expect(ccache).toBeUndefined();
    }
    process.env['BOOTGATE_CCACHE'] = 'off';
    expect(
      (await planCaches({ subjects, commits: [], workspace, downloadDir: undefined })).some(
        (e) => e.label === 'Embox ccache',
      ),
    ).toBe(false);
  });

  it('nothing for a custom subject: bootgate cannot tell what its build command depends on', async () => {
    const workspace = await tmp('bootgate-ws-');
    expect(
      await planCaches({
        subjects: [{ name: 'c', os: 'custom', settings: { os: 'custom', 'build-command': 'make' } }],
        commits: [],
        workspace,
        downloadDir: undefined,
      }),
    ).toEqual([]);
  });
});
