import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEmbox, progressLine } from '../../src/build/embox/build.js';
import { EmboxBuildError } from '../../src/build/embox/build-error.js';
import {
  closestNames,
  listEmboxTemplates,
  resolveEmboxTemplate,
  validateEmboxCheckout,
} from '../../src/build/embox/checkout.js';
import { detectDownloadFailure, downloadFailureMessage } from '../../src/build/embox/download-failure.js';
import { emboxCacheKey, sourceFingerprint } from '../../src/build/embox/fingerprint.js';
import { createRepo } from '../helpers/fixture-repo.js';

const LOGS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures-data', 'embox', 'logs');
const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A tiny tree shaped like an Embox checkout (no real Embox code: just the markers bootgate checks). */
async function fakeTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-fake-embox-'));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const CHECKOUT = {
  Makefile: 'all:\n',
  'mk/main.mk': '$(templates:%=confload-%) : confload-% :\n',
  'templates/x86/qemu/build.conf': 'ARCH = x86\n',
  'templates/x86/smp/build.conf': 'ARCH = x86\n',
  'templates/arm/qemu/build.conf': 'ARCH = arm\n',
  'templates/arm/vexpress-a9/build.conf': 'ARCH = arm\n',
  'templates/riscv64/qemu/build.conf': 'ARCH = riscv\n',
  'platform/quark/templates/galileo/build.conf': 'ARCH = x86\n',
  'project/demo/templates/x86_web/build.conf': 'ARCH = x86\n',
  'src/kernel/init.c': 'int main(void) { return 0; }\n',
};

async function readLog(name: string): Promise<string[]> {
  return (await readFile(path.join(LOGS, name), 'utf8')).split('\n');
}

describe('checkout validation', () => {
  it('accepts a tree with Makefile, mk/, templates/ and a confload target', async () => {
    await expect(validateEmboxCheckout(await fakeTree(CHECKOUT))).resolves.toBeUndefined();
  });

  it('names what is missing from a folder that is not an Embox checkout', async () => {
    const dir = await fakeTree({ 'README.md': 'not embox\n', 'src/a.c': '' });
    const err = await validateEmboxCheckout(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmboxBuildError);
    expect((err as EmboxBuildError).code).toBe('not-a-checkout');
    expect((err as Error).message).toMatch(/is not an Embox checkout: missing Makefile, mk\/, templates\//);
  });

  it('wants the confload target', async () => {
    const dir = await fakeTree({ ...CHECKOUT, 'mk/main.mk': 'all:\n' });
    await expect(validateEmboxCheckout(dir)).rejects.toThrow(/missing a "confload-<template>" make target/);
  });

  it('says when the folder does not exist', async () => {
    await expect(validateEmboxCheckout('/nonexistent/embox')).rejects.toThrow(
      /Embox source \/nonexistent\/embox does not exist/,
    );
  });
});

describe('templates', () => {
  it('lists templates under the names make confload takes', async () => {
    const names = [...(await listEmboxTemplates(await fakeTree(CHECKOUT))).keys()].sort();
    expect(names).toEqual([
      'arm/qemu',
      'arm/vexpress-a9',
      'platform/quark/galileo',
      'project/demo/x86_web',
      'riscv64/qemu',
      'x86/qemu',
      'x86/smp',
    ]);
  });

  it('resolves a known template to its folder', async () => {
    const dir = await fakeTree(CHECKOUT);
    expect(await resolveEmboxTemplate(dir, 'x86/qemu')).toBe(path.join(dir, 'templates', 'x86', 'qemu'));
  });

  it('an unknown template lists close names', async () => {
    const dir = await fakeTree(CHECKOUT);
    const err = (await resolveEmboxTemplate(dir, 'x86/qemuu').catch((e: unknown) => e)) as EmboxBuildError;
    expect(err.code).toBe('unknown-template');
    expect(err.message).toMatch(/unknown Embox template "x86\/qemuu".*close names: x86\/qemu, /);
    expect(closestNames('arm/qemu-nofs', ['x86/qemu', 'arm/qemu', 'mips/qemu'], 1)).toEqual(['arm/qemu']);
  });

  it('buildEmbox validates before running anything', async () => {
    const log: string[] = [];
    const notEmbox = await fakeTree({ 'a.txt': '' });
    await expect(buildEmbox({ source: notEmbox, template: 'x86/qemu', log: (l) => log.push(l) })).rejects.toThrow(
      /not an Embox checkout/,
    );
    const dir = await fakeTree(CHECKOUT);
    await expect(buildEmbox({ source: dir, template: 'x86/nope', log: (l) => log.push(l) })).rejects.toThrow(
      /unknown Embox template "x86\/nope"/,
    );
    await expect(
      buildEmbox({ source: dir, template: 'x86/qemu', downloadDir: path.join(dir, 'none'), log: (l) => log.push(l) }),
    ).rejects.toThrow(/download-dir .*none is not a folder/);
    expect(log).toEqual([]);
  });
});

describe('download failure detection', () => {
  it('finds a missing archive with its URL and curl error', async () => {
    const f = detectDownloadFailure(await readLog('missing-archive.log'));
    expect(f).toEqual({
      kind: 'missing',
      archive: 'zlibx-1.2.3.tar.gz',
      url: 'https://example.invalid/zlibx/archive/v1.2.3.tar.gz',
      expectedMd5: '0123456789abcdef0123456789abcdef',
      detail: 'curl: (6) Could not resolve host: example.invalid',
    });
    const msg = downloadFailureMessage(f!, 'x86/qemu', '/src/download', '/archives');
    expect(msg).toMatch(/template x86\/qemu.*zlibx-1\.2\.3\.tar\.gz is not in \/src\/download/);
    expect(msg).toMatch(/"download-dir" \(--download-dir DIR\); download-dir \/archives has no zlibx-1\.2\.3\.tar\.gz/);
  });

  it('finds an archive whose md5 does not match, by the failing module', async () => {
    const f = detectDownloadFailure(await readLog('checksum.log'));
    expect(f).toMatchObject({
      kind: 'checksum',
      archive: 'zlibx-1.2.3.tar.gz',
      expectedMd5: '0123456789abcdef0123456789abcdef',
    });
    expect(downloadFailureMessage(f!, 'x86/qemu', '/src/download')).toMatch(
      /does not have the md5 the Embox Makefile expects \(0123456789abcdef0123456789abcdef\)/,
    );
  });

  it('returns null for an ordinary compile error', () => {
    expect(
      detectDownloadFailure(['src/a.c:1:1: error: expected ";"', 'make: *** [Makefile:44: all] Error 2']),
    ).toBeNull();
  });
});

describe('progress lines', () => {
  it('shows mybuild phases, external builds and completion only', () => {
    expect(progressLine(' MKGEN mk_core_def.mk')).toBe('MKGEN mk_core_def.mk');
    expect(progressLine(' BUILDGEN /x/build')).toBe('BUILDGEN /x/build');
    expect(progressLine('make -C third-party/lib/openlibm/ -f /x/mk/extbld/build.mk MAKEFLAGS= A=b')).toBe(
      'external build: third-party/lib/openlibm',
    );
    expect(progressLine('Build complete')).toBe('Build complete');
    expect(progressLine('gcc -c -o a.o a.c')).toBeNull();
  });
});

describe('cache key', () => {
  it('depends on sources, template, overrides and compiler, not on ignored build output', async () => {
    const dir = await fakeTree(CHECKOUT);
    const over = await fakeTree({ 'mods.conf': 'include embox.driver.net.e1000\n' });
    const base = { workDir: dir, template: 'x86/qemu', gcc: 'gcc 12.2.0' };
    const k1 = await emboxCacheKey(base);
    expect(k1).toMatch(/^[0-9a-f]{64}$/);
    expect(await emboxCacheKey(base)).toBe(k1);
    expect(await emboxCacheKey({ ...base, template: 'x86/smp' })).not.toBe(k1);
    expect(await emboxCacheKey({ ...base, gcc: 'gcc 13.3.0' })).not.toBe(k1);
    const withOverrides = await emboxCacheKey({ ...base, overridesDir: over });
    expect(withOverrides).not.toBe(k1);
    await writeFile(path.join(over, 'mods.conf'), 'include embox.driver.net.virtio\n');
    expect(await emboxCacheKey({ ...base, overridesDir: over })).not.toBe(withOverrides);
    await writeFile(path.join(dir, 'src', 'kernel', 'init.c'), 'int main(void) { return 1; }\n');
    expect(await emboxCacheKey(base)).not.toBe(k1);
  });

  it('hashes sources when the tree is not a git checkout', async () => {
    const dir = await fakeTree(CHECKOUT);
    const before = await sourceFingerprint(dir);
    expect(before).toMatch(/^files:/);
    await mkdir(path.join(dir, 'build'), { recursive: true });
    await writeFile(path.join(dir, 'build', 'out.o'), 'x');
    expect(await sourceFingerprint(dir)).toBe(before);
  });

  it("in a git checkout: HEAD's tree plus uncommitted and untracked changes, ignoring ignored files", async () => {
    const dir = await fakeTree({ ...CHECKOUT, '.gitignore': '/build\n/conf\n/download\n' });
    const repo = await createRepo(dir);
    await repo.commit({}, 'fixture');
    const clean = await sourceFingerprint(dir);
    expect(clean).toMatch(/^git:/);
    await mkdir(path.join(dir, 'download'), { recursive: true });
    await writeFile(path.join(dir, 'download', 'pkg.tar.gz'), 'archive');
    expect(await sourceFingerprint(dir)).toBe(clean);
    await writeFile(path.join(dir, 'src', 'new.c'), 'int x;\n');
    const untracked = await sourceFingerprint(dir);
    expect(untracked).not.toBe(clean);
    await writeFile(path.join(dir, 'src', 'new.c'), 'int y;\n');
    expect(await sourceFingerprint(dir)).not.toBe(untracked);
    await rm(path.join(dir, 'src', 'new.c'));
    await writeFile(path.join(dir, 'Makefile'), 'all:\n\ttrue\n');
    const modified = await sourceFingerprint(dir);
    expect(modified).not.toBe(clean);
    await repo.git('checkout', '--', 'Makefile');
    expect(await sourceFingerprint(dir)).toBe(clean);
  });
});

/** A fake Embox tree whose Makefile mimics confload and a build that needs one downloaded archive. */
const FAKE_MAKEFILE = [
  'all:',
  "\t@echo ' BUILDGEN build'",
  '\t@if [ -f conf/fail ]; then cat conf/fail; exit 2; fi',
  '\t@test -f download/pkg-1.0.tar.gz || { echo "curl -o pkg-1.0.tar.gz -f -k -L \'https://example.invalid/pkg-1.0.tar.gz\'"; ' +
    'echo \'curl: (6) Could not resolve host: example.invalid\'; echo "tar: $(CURDIR)/download/pkg-1.0.tar.gz: Cannot open: No such file or directory"; exit 2; }',
  '\tmkdir -p build/base/bin',
  '\tcat conf/mods.conf > build/base/bin/embox',
  "\t@echo 'Build complete'",
  // an explicit target: a pattern rule without a slash would not match "confload-x86/qemu"
  'confload-x86/qemu:',
  '\trm -rf conf build',
  '\tmkdir -p conf',
  '\tcp -R templates/x86/qemu/. conf/',
  "\t@echo 'Config complete'",
  '',
].join('\n');

// make is one of the packages CI installs: a missing make fails these tests rather than skipping them.
describe('buildEmbox on a fake tree (real make, no Embox)', () => {
  const tree = async (): Promise<string> =>
    fakeTree({
      ...CHECKOUT,
      Makefile: FAKE_MAKEFILE,
      'templates/x86/qemu/mods.conf': 'include embox.driver.net.virtio\n',
    });

  it('confloads, applies overrides, stages the download folder, builds, then hits the cache', async () => {
    const dir = await tree();
    const downloads = await fakeTree({ 'pkg-1.0.tar.gz': 'archive bytes' });
    const overrides = await fakeTree({ 'mods.conf': 'include embox.driver.net.e1000\n' });
    const cacheDir = await fakeTree({});
    const log: string[] = [];
    const opts = {
      source: dir,
      template: 'x86/qemu',
      downloadDir: downloads,
      overridesDir: overrides,
      cacheDir,
      jobs: 1,
      log: (l: string) => log.push(l),
    };
    const first = await buildEmbox(opts);
    expect(first.cached).toBe(false);
    expect(await readFile(first.image, 'utf8')).toBe('include embox.driver.net.e1000\n');
    expect(await readFile(path.join(first.confDir, 'mods.conf'), 'utf8')).toBe('include embox.driver.net.e1000\n');
    expect(await readFile(path.join(dir, 'download', 'pkg-1.0.tar.gz'), 'utf8')).toBe('archive bytes');
    expect(await readFile(first.buildLog, 'utf8')).toMatch(/Config complete[\s\S]*Build complete/);
    expect(log).toEqual(expect.arrayContaining(['embox: BUILDGEN build', 'embox: Build complete']));
    const second = await buildEmbox(opts);
    expect(second).toMatchObject({ cached: true, image: first.image, cacheKey: first.cacheKey });
  });

  it('reports a missing archive by name, with the download-dir setting', async () => {
    const dir = await tree();
    const err = (await buildEmbox({ source: dir, template: 'x86/qemu', jobs: 1, log: () => undefined }).catch(
      (e: unknown) => e,
    )) as EmboxBuildError;
    expect(err).toBeInstanceOf(EmboxBuildError);
    expect(err.code).toBe('missing-archive');
    expect(err.message).toMatch(
      /pkg-1\.0\.tar\.gz is not in .*download and could not be downloaded from https:\/\/example\.invalid\/pkg-1\.0\.tar\.gz/,
    );
    expect(err.message).toMatch(/"download-dir" \(--download-dir DIR\)/);
  });

  it('a failing build names the template and shows the last lines', async () => {
    const dir = await tree();
    const overrides = await fakeTree({ fail: 'src/kernel/init.c:3:1: error: expected declaration\n' });
    const downloads = await fakeTree({ 'pkg-1.0.tar.gz': 'x' });
    const err = (await buildEmbox({
      source: dir,
      template: 'x86/qemu',
      overridesDir: overrides,
      downloadDir: downloads,
      jobs: 1,
      log: () => undefined,
    }).catch((e: unknown) => e)) as EmboxBuildError;
    expect(err.code).toBe('make-failed');
    expect(err.message).toMatch(
      /Embox build of template x86\/qemu failed[\s\S]*init\.c:3:1: error: expected declaration/,
    );
    expect(err.logFile).toBeDefined();
  });
});
