// A warm second run of the action rebuilds nothing: pr mode twice on a fresh runner each time (an
// empty bootgate cache folder and runner temp), the caches going through the fake GitHub's cache
// service in between. The subject is an Embox subject on a small Embox-shaped tree whose make
// compiles a C file (through ccache when installed) and installs the multiboot fixture as its image.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';
import { explainRun as explain, pullRequestPayload } from '../helpers/action-env.js';
import { createRepo } from '../helpers/fixture-repo.js';
import { githubTest, REPO, type RunResult } from '../helpers/github-world.js';

const CONFIG = `version: 1
subjects:
  - name: embox-fixture
    os: embox
    always: true
    source: .
    template: x86/qemu
    qemu: qemu-system-i386
    memory: 64
    start-marker: "bootgate-fixture: kernel start"
    ready-marker: "bootgate-fixture: ready"
    timeout: 30
`;

// Embox's shape as the builder checks it (Makefile with confload, mk/, templates/), real make and gcc.
const MAKEFILE = [
  'all:',
  '\tmkdir -p build/base/bin build/base/obj',
  '\tgcc -O2 -c -o build/base/obj/marker.o src/marker.c',
  '\tcp fixture-kernel.elf build/base/bin/embox',
  "\t@echo 'Build complete'",
  'confload-x86/qemu:',
  '\trm -rf conf build',
  '\tmkdir -p conf',
  '\tcp -R templates/x86/qemu/. conf/',
  "\t@echo 'Config complete'",
  '',
].join('\n');

const test = githubTest
  /** The Embox-shaped repository: a base commit and a head that changes only the README. */
  .extend('warmRepo', { scope: 'file' }, async ({ workDir }) => {
    const fixture = await buildMultibootFixture({ cacheDir: path.join(workDir, 'fixture-cache') });
    const repo = await createRepo(path.join(workDir, 'repo'));
    const base = await repo.commit(
      {
        'bootgate.yml': CONFIG,
        Makefile: MAKEFILE,
        'mk/main.mk': '# confload-<template> lives in the Makefile of this small tree\n',
        'src/marker.c': 'int bootgate_marker(int x) { return x * 3 + 1; }\n',
        'fixture-kernel.elf': await readFile(fixture.kernel),
        'templates/x86/qemu/build.conf': 'TARGET = embox\nARCH = x86\n',
        'templates/x86/qemu/lds.conf': 'RAM (0x00000000, 64M)\n',
        'templates/x86/qemu/mods.conf': 'include embox.cmd.help\n',
        'README.md': 'fixture repository\n',
      },
      'base',
    );
    const head = await repo.commit({ 'README.md': 'fixture repository, documented\n' }, 'docs');
    return { dir: repo.dir, base, head };
  })
  /** One pr-mode run on a fresh runner: its own empty bootgate cache folder and runner temp. */
  .extend('freshRunner', async ({ fake, runAction, warmRepo, workDir }) => {
    return async (number: number, env: Record<string, string> = {}): Promise<RunResult> => {
      const cacheDir = path.join(workDir, 'runner-cache');
      await rm(cacheDir, { recursive: true, force: true });
      fake.addPull({
        number,
        baseSha: warmRepo.base,
        headSha: warmRepo.head,
        files: [{ filename: 'README.md', status: 'modified' }],
      });
      return runAction({
        inputs: { runs: '3', 'max-runs': '3', warmup: '0' },
        eventName: 'pull_request',
        payload: pullRequestPayload({ number, baseSha: warmRepo.base, headSha: warmRepo.head, repo: REPO }),
        workspace: warmRepo.dir,
        env: { BOOTGATE_CACHE_DIR: cacheDir, ...env },
        // a failing cache service costs @actions/cache's retries with backoff on every entry
        timeoutMs: 280_000,
      });
    };
  });

const count = (text: string, what: string): number => text.split(what).length - 1;

describe('action, mode pr, a warm second run', () => {
  test('restores the caches the first run saved and rebuilds nothing', async ({ freshRunner }) => {
    const cold = await freshRunner(31);
    expect(cold.code, explain(cold)).toBe(0);
    // cold: every cache misses, base and head are built, and what they built is saved
    expect(cold.stdout).toMatch(/cache: Embox images: miss/);
    expect(count(cold.stdout, 'embox: make -j')).toBe(2);
    expect(cold.stdout).toMatch(/cache: saved Embox images/);
    expect(cold.outputs['verdict'], explain(cold)).toBe('no-change');

    const warm = await freshRunner(31);
    expect(warm.code, explain(warm)).toBe(0);
    expect(warm.stdout).toMatch(/cache: Embox images: hit/);
    expect(warm.stdout).toMatch(/cache: Embox downloads \([^)]*\): hit/);
    // nothing is configured or compiled again: both images come from the restored cache
    expect(count(warm.stdout, 'embox: cache hit for x86/qemu'), explain(warm)).toBe(2);
    expect(warm.stdout).not.toContain('embox: make confload');
    expect(warm.stdout).not.toContain('embox: make -j');
    // and nothing new to save
    expect(warm.stdout).not.toMatch(/cache: saved Embox images/);
    expect(warm.outputs['verdict'], explain(warm)).toBe('no-change');
    if (cold.stdout.includes('embox: compiling through ccache')) {
      expect(cold.stdout).toMatch(/cache: saved Embox ccache/);
      expect(warm.stdout).toMatch(/cache: Embox ccache: hit/);
    }
  });

  for (const cacheFailure of ['reset', 'status-500'] as const) {
    describe(`a cache service error (${cacheFailure})`, () => {
      test.override('fakeOptions', { cacheFailure });

      // @actions/cache retries a 500 with backoff, for each entry restored and saved
      test('only warns', { timeout: 300_000 }, async ({ fake, freshRunner }) => {
        // without ccache: one entry fewer to retry against a failing service
        const r = await freshRunner(32, { BOOTGATE_CCACHE: 'off' });
        expect(r.code, explain(r)).toBe(0);
        // @actions/cache turns the service's errors into warnings itself; the run goes on without a cache.
        expect(r.stdout).toMatch(
          cacheFailure === 'reset'
            ? /::warning::Failed to restore: .*ECONNRESET/
            : /::warning::Failed to restore: .*\(500\) Internal Server Error/,
        );
        expect(r.stdout).toMatch(/cache: Embox images: miss/);
        expect(r.outputs['verdict'], explain(r)).toBe('no-change');
        const cacheCalls = fake.requests.filter((q) => q.path.includes('CacheService'));
        expect(cacheCalls.length).toBeGreaterThan(0);
        if (cacheFailure === 'status-500') expect(cacheCalls.every((q) => q.status === 500)).toBe(true);
      });
    });
  }
});
