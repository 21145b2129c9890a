import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_CACHE_FOLDERS, planCaches } from '../../src/github/cache.js';

describe('what the action caches', () => {
  const saved = process.env['BOOTGATE_CACHE_DIR'];
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-cacheplan-'));
    process.env['BOOTGATE_CACHE_DIR'] = cacheDir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['BOOTGATE_CACHE_DIR'];
    else process.env['BOOTGATE_CACHE_DIR'] = saved;
  });

  it("a Rumprun subject without source: the pinned checkout under bootgate's cache folder, where the builder puts it (not <workspace>/rumprun)", async () => {
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'bootgate-ws-'));
    const entries = await planCaches({ subjects: [{ name: 'rr', os: 'rumprun', settings: { os: 'rumprun' } }], commits: [], workspace, downloadDir: undefined });
    const toolchain = entries.find((e) => e.label.startsWith('Rumprun toolchain'))!;
    expect(toolchain.paths).toEqual([path.join(cacheDir, 'rumprun-src', 'rumprun-b04d42225a12')]);
    expect(toolchain.key).toMatch(/^bootgate-rumprun-toolchain-/);
    expect(entries.flatMap((e) => e.paths).some((p) => p.startsWith(workspace))).toBe(false);
  });

  it('a Rumprun subject with source: its rumprun/ install folder', async () => {
    const source = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rr-'));
    const entries = await planCaches({ subjects: [{ name: 'rr', os: 'rumprun', settings: { os: 'rumprun', source } }], commits: [], workspace: source, downloadDir: undefined });
    expect(entries.find((e) => e.label.startsWith('Rumprun toolchain'))!.paths).toEqual([path.join(source, 'rumprun')]);
  });

  it('caches only folders a builder writes (no "images")', () => {
    expect(CONTENT_CACHE_FOLDERS).toEqual(['multiboot', 'linux', 'embox']);
  });
});
