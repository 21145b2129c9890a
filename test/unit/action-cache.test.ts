// The cache entries a run restores and saves: Embox's download folders (one per folder, keyed by the
// third-party Makefiles), its images and ccache objects, and the Rumprun toolchain of each checkout.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subject } from '../../src/config/subjects.js';
import { planCaches } from '../../src/github/cache.js';

let dir: string;
const previousCache = process.env['BOOTGATE_CACHE_DIR'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-cache-plan-'));
  process.env['BOOTGATE_CACHE_DIR'] = path.join(dir, 'cache');
  await mkdir(path.join(dir, 'embox', 'third-party', 'lib', 'cjson'), { recursive: true });
  await writeFile(path.join(dir, 'embox', 'third-party', 'lib', 'cjson', 'Makefile'), 'PKG_VER := 1.7.18\n');
});

afterAll(async () => {
  if (previousCache === undefined) delete process.env['BOOTGATE_CACHE_DIR'];
  else process.env['BOOTGATE_CACHE_DIR'] = previousCache;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const embox = (name: string, downloadDir?: string): Subject => ({
  name,
  os: 'embox',
  settings: {
    os: 'embox',
    source: path.join(dir, 'embox'),
    template: 'x86/qemu',
    ...(downloadDir ? { 'download-dir': downloadDir } : {}),
  },
});
const rumprun = (name: string, source: string, bakeTarget: 'hw_virtio' | 'hw_generic'): Subject => ({
  name,
  os: 'rumprun',
  settings: { os: 'rumprun', source, 'bake-target': bakeTarget },
});

describe('planCaches', () => {
  it('one Embox download entry per folder, keyed by the third-party Makefiles, restorable by prefix', async () => {
    const shared = path.join(dir, 'downloads');
    const entries = await planCaches({
      subjects: [embox('a', shared), embox('b', shared), embox('c', path.join(dir, 'other'))],
      commits: [],
      workspace: dir,
      downloadDir: undefined,
    });
    const downloads = entries.filter((e) => e.label.startsWith('Embox downloads'));
    expect(downloads.map((e) => e.paths)).toEqual([[shared], [path.join(dir, 'other')]]);
    for (const e of downloads) {
      expect(e.key.startsWith(e.restoreKeys[0]!)).toBe(true);
      expect(e.key).toMatch(/^bootgate-embox-download-[0-9a-f]{20}-[0-9a-f]{20}$/);
    }
    // A new third-party version makes a new key under the same prefix.
    await writeFile(path.join(dir, 'embox', 'third-party', 'lib', 'cjson', 'Makefile'), 'PKG_VER := 1.7.19\n');
    const again = await planCaches({
      subjects: [embox('a', shared)],
      commits: [],
      workspace: dir,
      downloadDir: undefined,
    });
    expect(again[0]!.restoreKeys).toEqual(downloads[0]!.restoreKeys);
    expect(again[0]!.key).not.toBe(downloads[0]!.key);
  });

  it('one Rumprun toolchain entry per checkout, exact keys only, holding <source>/rumprun, keyed as the builder stamps it', async () => {
    const one = path.join(dir, 'rumprun-1');
    const two = path.join(dir, 'rumprun-2');
    const entries = await planCaches({
      subjects: [
        rumprun('hw', one, 'hw_generic'),
        rumprun('hw-virtio', one, 'hw_virtio'),
        rumprun('other', two, 'hw_generic'),
      ],
      commits: [],
      workspace: dir,
      downloadDir: undefined,
    });
    const toolchains = entries.filter((e) => e.label.startsWith('Rumprun toolchain'));
    expect(toolchains.map((e) => e.paths)).toEqual([[path.join(one, 'rumprun')], [path.join(two, 'rumprun')]]);
    expect(toolchains.every((e) => e.restoreKeys.length === 0)).toBe(true);
    // the bake target is not a toolchain input; build-rr.sh's arguments (jobs) are
    const alone = await planCaches({
      subjects: [rumprun('hw', one, 'hw_virtio')],
      commits: [],
      workspace: dir,
      downloadDir: undefined,
    });
    expect(alone.find((e) => e.label.startsWith('Rumprun toolchain'))!.key).toBe(toolchains[0]!.key);
    const jobs: Subject = { name: 'hw', os: 'rumprun', settings: { os: 'rumprun', source: one, jobs: 3 } };
    const withJobs = await planCaches({ subjects: [jobs], commits: [], workspace: dir, downloadDir: undefined });
    expect(withJobs[0]!.key).not.toBe(toolchains[0]!.key);
  });

  it("Embox images: the folder the builder fills, keyed by the overrides folder's content too", async () => {
    const entries = await planCaches({
      subjects: [embox('a')],
      commits: [],
      workspace: dir,
      downloadDir: path.join(dir, 'd'),
    });
    const images = entries.find((e) => e.label === 'Embox images')!;
    expect(images.paths).toEqual([path.join(dir, 'cache', 'embox')]);
    expect(images.key.startsWith(images.restoreKeys[0]!)).toBe(true);
    expect(entries.map((e) => e.label).slice(0, 2)).toEqual([
      `Embox downloads (${path.join(dir, 'd')})`,
      'Embox images',
    ]);
    const overrides = path.join(dir, 'overrides');
    await mkdir(overrides, { recursive: true });
    await writeFile(path.join(overrides, 'mods.conf'), 'include embox.cmd.help\n');
    const withOverrides: Subject = { name: 'a', os: 'embox', settings: { ...embox('a').settings, overrides } };
    const key = async (): Promise<string> =>
      (
        await planCaches({ subjects: [withOverrides], commits: [], workspace: dir, downloadDir: path.join(dir, 'd') })
      ).find((e) => e.label === 'Embox images')!.key;
    const before = await key();
    expect(before).not.toBe(images.key);
    await writeFile(path.join(overrides, 'mods.conf'), 'include embox.cmd.ls\n');
    expect(await key()).not.toBe(before);
  });
});
