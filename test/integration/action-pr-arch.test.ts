// The bundled action in pr mode on a fake Embox tree: a PR touching templates/arm/qemu/mods.conf
// gets an arm/qemu subject derived from the config's x86 one, built by "make" (the arch fixture,
// compiled with arm-none-eabi-gcc, printing Embox's first line and tish's prompt) and booted as
// bootgate boots Embox's arm/qemu (qemu-system-arm -M integratorcp -kernel); the comment shows it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, explainRun as explain, git, pullRequestPayload, REPO_ROOT, runActionProcess } from '../helpers/action-env.js';
import { FakeGitHub } from '../helpers/fake-github.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
let tmp = '';
let repoDir = '';
let base = '';
let head = '';

/** Embox's layout and make targets, just enough for bootgate: confload-<t> copies the template, make builds the fixture. */
function fakeEmbox(): Record<string, string> {
  return {
    Makefile: 'include mk/main.mk\n',
    'mk/main.mk': [
      '# A fake Embox for bootgate\'s tests (confload, then a build of the arch fixture as the image).',
      '.DEFAULT_GOAL := all',
      '-include conf/build.conf',
      // the PR's edit of mods.conf changes the image (1 % more work), so base and head are both booted
      "WORK := $(if $(shell grep -l 'touches mods.conf' conf/mods.conf 2>/dev/null),101,100)",
      'all:',
      '\tmkdir -p build/base/bin',
      `\tnode ${CLI} fixture --arch $(ARCH) --work-percent $(WORK) --start-line '[info] (Kernel) Embox kernel start' --ready-text 'root@embox:/# ' --out build/base/bin/embox`,
      // a static pattern rule, as Embox's: a plain `confload-%` would not match a name with a slash
      'templates := $(patsubst templates/%/build.conf,%,$(wildcard templates/*/*/build.conf))',
      '$(templates:%=confload-%) : confload-% :',
      '\trm -rf conf build',
      '\tmkdir -p conf',
      '\tcp -R templates/$*/. conf/',
      '',
    ].join('\n'),
    'bootgate.yml': 'version: 1\nsubjects:\n  - name: x86-qemu\n    os: embox\n    source: .\n    template: x86/qemu\n',
    '.gitignore': 'conf/\nbuild/\n',
    'templates/x86/qemu/build.conf': 'TARGET = embox\nARCH = x86\n',
    'templates/arm/qemu/build.conf': 'TARGET = embox\n\nARCH = arm\nPLATFORM = integratorcp\n\nCROSS_COMPILE = arm-none-eabi-\n',
    'templates/arm/qemu/lds.conf': '/* region (origin, length) */\nRAM (0x00000000, 128M)\n',
    'templates/arm/qemu/mods.conf': [
      'package genconfig',
      'configuration conf {',
      '\t@Runlevel(1) include embox.driver.net.lan91c111(base_addr=0xC8000000)',
      '\t@Runlevel(2) include embox.cmd.sh.tish(',
      '\t\t\tprompt="%u@%h:%w%$", rich_prompt_support=1,',
      '\t\t\tbuiltin_commands="exit logout cd export mount umount")',
      '}',
      '',
    ].join('\n'),
    // no httpd in the start script: the prompt is ready, and no HTTP check is made
    'templates/arm/qemu/system_start.inc': '"export PWD=/",\n"export HOME=/",\n"tish",\n',
  };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bootgate-action-arch-'));
  repoDir = path.join(tmp, 'embox');
  await git(tmp, ['init', '-q', '-b', 'main', repoDir]);
  base = await commitFiles(repoDir, fakeEmbox(), 'base');
  const mods = fakeEmbox()['templates/arm/qemu/mods.conf']!.replace('configuration conf {', 'configuration conf {\n\t/* a comment: the PR touches mods.conf */');
  head = await commitFiles(repoDir, { 'templates/arm/qemu/mods.conf': mods }, 'arm/qemu: touch mods.conf');
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('action, mode pr, a non-x86 Embox template', () => {
  it('a PR touching templates/arm/qemu/mods.conf measures arm/qemu (integratorcp) and comments', async () => {
    const fake = new FakeGitHub({ owner: 'acme', repo: 'embox' });
    await fake.start();
    try {
      fake.addPull({ number: 12, baseSha: base, headSha: head, files: [{ filename: 'templates/arm/qemu/mods.conf', status: 'modified' }] });
      const r = await runActionProcess({
        inputs: { runs: '3', warmup: '0' },
        eventName: 'pull_request',
        payload: pullRequestPayload({ number: 12, baseSha: base, headSha: head, repo: 'acme/embox' }),
        workspace: repoDir,
        runDir: path.join(tmp, 'run'),
        fake,
        runId: 1200,
        env: { BOOTGATE_CACHE_DIR: path.join(tmp, 'cache') },
      });
      expect(r.code, explain(r)).toBe(0);
      expect(r.stdout).toContain('template arm/qemu changed: new subject arm-qemu (settings from x86-qemu, qemu-system-arm -M integratorcp, -kernel)');
      expect(r.stdout).toContain('measuring: arm-qemu\n');
      expect(r.stdout).toMatch(/embox: cross compiler arm-none-eabi-gcc \(/);
      expect(r.stdout).toMatch(/arm-qemu \[head\] boot 3\/3/);

      const headDoc = JSON.parse(await readFile(path.join(r.outputs['results-path']!, 'head.json'), 'utf8'));
      const subject = headDoc.subjects[0];
      expect(subject.name).toBe('arm-qemu');
      expect(subject.guest).toMatchObject({ qemu: 'qemu-system-arm', machine: 'integratorcp', loader: 'kernel', network: null });
      expect(subject.qemuCommand).toEqual(expect.arrayContaining(['-machine', 'integratorcp', '-kernel']));
      expect(subject.boots.every((b: { ok: boolean; httpMs: number | null }) => b.ok && b.httpMs === null)).toBe(true);
      expect(subject.summary.modules.map((m: { name: string }) => m.name)).toContain('embox.net.core');

      const comment = fake.comments.find((c) => c.issue === 12);
      expect(comment?.body).toContain('arm-qemu');
      expect(comment?.body).toContain('no HTTP check');
    } finally {
      await fake.stop();
    }
  }, 300_000);
});
