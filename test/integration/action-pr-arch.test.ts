// The bundled action in pr mode on a fake Embox tree: a PR touching templates/arm/qemu/mods.conf
// gets an arm/qemu subject derived from the config's x86 one, built by "make" (the arch fixture,
// compiled with arm-none-eabi-gcc, printing Embox's first line and tish's prompt) and booted as
// bootgate boots Embox's arm/qemu (qemu-system-arm -M integratorcp -kernel); the comment shows it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { explainRun as explain, pullRequestPayload, REPO_ROOT } from '../helpers/action-env.js';
import { createRepo } from '../helpers/fixture-repo.js';
import { githubTest } from '../helpers/github-world.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** Embox's layout and make targets, just enough for bootgate: confload-<t> copies the template, make builds the fixture. */
function fakeEmbox(): Record<string, string> {
  return {
    Makefile: 'include mk/main.mk\n',
    'mk/main.mk': [
      "# A fake Embox for bootgate's tests (confload, then a build of the arch fixture as the image).",
      '.DEFAULT_GOAL := all',
      '-include conf/build.conf',
      // the PR's edit of mods.conf changes the image (1 % more work), so base and head are both booted;
      // 10x the fixture's default work: a boot of ~25 ms can arrive in one serial read on a busy host
      "WORK := $(if $(shell grep -l 'touches mods.conf' conf/mods.conf 2>/dev/null),1010,1000)",
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
    'templates/arm/qemu/build.conf':
      'TARGET = embox\n\nARCH = arm\nPLATFORM = integratorcp\n\nCROSS_COMPILE = arm-none-eabi-\n',
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

const test = githubTest
  /** The fake Embox repository: a base commit and a head that touches templates/arm/qemu/mods.conf. */
  .extend('embox', { scope: 'file' }, async ({ workDir }) => {
    const repo = await createRepo(path.join(workDir, 'embox'));
    const base = await repo.commit(fakeEmbox(), 'base');
    const mods = fakeEmbox()['templates/arm/qemu/mods.conf']!.replace(
      'configuration conf {',
      'configuration conf {\n\t/* a comment: the PR touches mods.conf */',
    );
    const head = await repo.commit({ 'templates/arm/qemu/mods.conf': mods }, 'arm/qemu: touch mods.conf');
    return { dir: repo.dir, base, head };
  });

describe('action, mode pr, a non-x86 Embox template', () => {
  test('a PR touching templates/arm/qemu/mods.conf measures arm/qemu (integratorcp) and comments', async ({
    fake,
    embox: { dir: repoDir, base, head },
    runAction,
    workDir,
  }) => {
    fake.addPull({
      number: 12,
      baseSha: base,
      headSha: head,
      files: [{ filename: 'templates/arm/qemu/mods.conf', status: 'modified' }],
    });
    const r = await runAction({
      // a fixed 3 boots a side: the test is about the arm plumbing, not the adaptive gate
      inputs: { runs: '3', 'max-runs': '3', warmup: '0' },
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 12, baseSha: base, headSha: head, repo: 'acme/embox' }),
      workspace: repoDir,
      runId: 1200,
      // a fresh cache of its own, as on a first run
      env: { BOOTGATE_CACHE_DIR: path.join(workDir, 'cache') },
    });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain(
      'template arm/qemu changed: new subject arm-qemu (settings from x86-qemu, qemu-system-arm -M integratorcp, -kernel)',
    );
    expect(r.stdout).toContain('measuring: arm-qemu\n');
    expect(r.stdout).toMatch(/embox: cross compiler arm-none-eabi-gcc \(/);
    expect(r.stdout).toMatch(/arm-qemu \[head\] boot 3\/3/);

    const headDoc = JSON.parse(await readFile(path.join(r.outputs['results-path']!, 'head.json'), 'utf8'));
    const subject = headDoc.subjects[0];
    expect(subject.name).toBe('arm-qemu');
    expect(subject.guest).toMatchObject({
      qemu: 'qemu-system-arm',
      machine: 'integratorcp',
      loader: 'kernel',
      network: null,
    });
    expect(subject.qemuCommand).toEqual(expect.arrayContaining(['-machine', 'integratorcp', '-kernel']));
    expect(subject.boots.every((b: { ok: boolean; httpMs: number | null }) => b.ok && b.httpMs === null)).toBe(true);
    expect(subject.summary.modules.map((m: { name: string }) => m.name)).toContain('embox.net.core');

    const comment = fake.comments.find((c) => c.issue === 12);
    expect(comment?.body).toContain('arm-qemu');
    expect(comment?.body).toContain('no HTTP check');
  }, 300_000);
});
