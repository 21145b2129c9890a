// The action when something fails: a subject that does not build on one side or on both, a token
// that cannot comment, a PR that measures nothing. The check must still be decided, reported in
// the job summary and the comment (or its artifact), and fail only when it should.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { ResultsDocument } from '../../src/measure/results.js';
import { explainRun as explain } from '../helpers/action-env.js';
import { githubTest as test } from '../helpers/github-world.js';

const MARKER = '<!-- bootgate-report:bootgate.yml -->';

describe('action: a subject that does not build', () => {
  test("head does not build where base does: a regression, said in the comment and the summary with the build's last lines", async ({
    fake,
    world,
    runPr,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 20,
      baseSha: repo.base,
      headSha: repo.broken,
      files: [{ filename: 'fixture-kernel.elf', status: 'removed' }],
    });
    const r = await runPr({ number: 20, base: repo.base, head: repo.broken });
    expect(r.code, explain(r)).toBe(1);
    expect(r.outputs['verdict']).toBe('regression');
    expect(r.stdout).toMatch(
      /::error::bootgate: regression — fixture: head does not build \(base does\): build of fixture \[head\] exited with code 1/,
    );
    // the base was still built and booted
    expect(r.stdout).toMatch(/fixture \[base\] boot 3\/3: boot \d+\.\d ms/);

    const comments = fake.comments.filter((c) => c.issue === 20);
    expect(comments).toHaveLength(1);
    for (const text of [comments[0]!.body, r.summary]) {
      expect(text).toContain(MARKER);
      expect(text).toMatch(/^\*\*Regression\*\* — fixture: head does not build \(base does\)/m);
      expect(text).toContain('| Regression (head does not build) |');
      expect(text).toContain('#### Not built');
      expect(text).toContain("cp: cannot stat 'fixture-kernel.elf': No such file or directory");
    }
    const head = JSON.parse(
      await readFile(path.join(r.outputs['results-path']!, 'head.json'), 'utf8'),
    ) as ResultsDocument;
    expect(head.subjects[0]!.notBuilt).toMatchObject({
      stage: 'build',
      tail: ["cp: cannot stat 'fixture-kernel.elf': No such file or directory"],
    });
    const base = JSON.parse(
      await readFile(path.join(r.outputs['results-path']!, 'base.json'), 'utf8'),
    ) as ResultsDocument;
    expect(base.subjects[0]!.summary.n).toBe(3);
  });

  test('base does not build where head does: said (a notice), not a regression, the step passes', async ({
    fake,
    world,
    runPr,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 21,
      baseSha: repo.broken,
      headSha: repo.docs,
      files: [{ filename: 'fixture-kernel.elf', status: 'added' }],
    });
    const r = await runPr({ number: 21, base: repo.broken, head: repo.docs });
    expect(r.code, explain(r)).toBe(0);
    expect(r.outputs['verdict']).toBe('improvement');
    expect(r.stdout).toMatch(/::notice::bootgate: fixture: base does not build, head does/);
    const body = fake.comments.find((c) => c.issue === 21)!.body;
    expect(body).toContain('| Improvement (base did not build) |');
    expect(body).toMatch(/\*\*fixture\*\* at base \(`[0-9a-f]{12}`\) does not build/);
  });

  test('a subject that builds on neither side (Embox, no checkout here): the others are measured, the report is posted, the step fails; its download cache still round-trips', async ({
    fake,
    world,
    runPr,
  }) => {
    const { repo, cacheDir } = world;
    // What a run leaves in the shared Embox download folder (the third-party archives).
    const downloads = path.join(cacheDir, 'embox-download');
    await mkdir(downloads, { recursive: true });
    await writeFile(path.join(downloads, 'cJSON-1.7.18.tar.gz'), 'archive bytes\n');
    fake.addPull({
      number: 22,
      baseSha: repo.base,
      headSha: repo.template,
      files: [{ filename: 'templates/x86/qemu/build.conf', status: 'modified' }],
    });

    const first = await runPr({ number: 22, base: repo.base, head: repo.template, inputs: { cache: 'true' } });
    expect(first.code, explain(first)).toBe(1);
    expect(first.stdout).toContain('measuring: fixture, x86-qemu\n');
    // Not an Embox checkout: the subject's settings name something that is not there.
    expect(first.stdout).toMatch(
      /::error::bootgate: not built on base nor on head, so not gated: x86-qemu \(config: .*is not an Embox checkout/,
    );
    expect(first.outputs['verdict']).toBe('inconclusive');
    const body = fake.comments.find((c) => c.issue === 22)!.body;
    // the fixture's image is the same at base and head: decided at once, without boots
    expect(body).toMatch(/\| fixture \|.*\| No change \|/);
    expect(body).toContain('identical image (same bytes)');
    expect(body).toMatch(/\| x86-qemu \|.*\| Inconclusive \(not built\) \|/);
    expect(body).toMatch(
      /\*\*x86-qemu\*\* at base \(`[0-9a-f]{12}`\) cannot run as configured: .*is not an Embox checkout/,
    );
    expect(body).toMatch(/\*\*x86-qemu\*\* at head \(`[0-9a-f]{12}`\) cannot run as configured/);
    expect(first.summary).toContain('#### Not built');

    // The Embox download entry (not only the built images) is saved, and restored by the next run.
    expect(first.stdout).toMatch(/cache: Embox downloads \(.*embox-download\): miss/);
    expect(first.stdout).toMatch(/cache: saved Embox downloads/);
    await rm(downloads, { recursive: true, force: true });
    const second = await runPr({ number: 22, base: repo.base, head: repo.template, inputs: { cache: 'true' } });
    expect(second.code, explain(second)).toBe(1);
    expect(second.stdout).toMatch(/cache: Embox downloads \(.*embox-download\): hit/);
    expect(await readFile(path.join(downloads, 'cJSON-1.7.18.tar.gz'), 'utf8')).toBe('archive bytes\n');
  });
});

describe('action: where the report goes when it cannot be a comment', () => {
  test.override('fakeOptions', { readOnlyToken: 'read-only-token' });

  test('a same-repository PR whose token gets 403 on the comment: the report becomes the artifact, which mode report posts', async ({
    fake,
    world,
    runPr,
    runReport,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 23,
      baseSha: repo.base,
      headSha: repo.docs,
      files: [{ filename: 'README.md', status: 'modified' }],
    });
    const r = await runPr({ number: 23, base: repo.base, head: repo.docs, token: 'read-only-token' });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(
      /::warning::comment: the token cannot write to PR #23 .*uploading the report as the "bootgate-report" artifact instead/,
    );
    expect(r.stdout).toContain('::notice::');
    // one write was tried and refused; nothing was written
    expect(fake.writeCalls().map((q) => [q.method, q.path, q.status])).toEqual([
      ['POST', '/repos/acme/embox/issues/23/comments', 403],
    ]);
    expect(fake.comments).toHaveLength(0);
    expect(r.summary).toContain(MARKER);
    const artifact = fake.artifacts.find((a) => a.name === 'bootgate-report' && a.runBackendId === `run-${r.runId}`);
    expect(artifact?.finalized).toBe(true);

    const report = await runReport({ prRunId: r.runId, headSha: repo.docs, workspace: repo.dir });
    expect(report.code, explain(report)).toBe(0);
    const comments = fake.comments.filter((c) => c.issue === 23);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('| fixture |');
  });
});

describe('action: a run that cannot finish', () => {
  test('still writes the job summary and the comment, naming the error, then fails the step', async ({
    fake,
    world,
    runPr,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 26,
      baseSha: repo.base,
      headSha: repo.docs,
      files: [{ filename: 'README.md', status: 'modified' }],
    });
    const r = await runPr({ number: 26, base: repo.base, head: repo.docs, inputs: { config: 'no-such-config.yml' } });
    expect(r.code, explain(r)).toBe(1);
    expect(r.stdout).toMatch(/::error::bootgate: .*no-such-config\.yml/);
    const comments = fake.comments.filter((c) => c.issue === 26);
    expect(comments).toHaveLength(1);
    for (const text of [comments[0]!.body, r.summary]) {
      expect(text).toContain('<!-- bootgate-report:no-such-config.yml -->');
      expect(text).toMatch(/\*\*Failed\*\* — bootgate could not finish this check: .*no-such-config\.yml/);
    }
  });
});

describe('action: nothing measured', () => {
  // the fork's token (the other test uses the default token, which can write)
  test.override('fakeOptions', { readOnlyToken: 'fork-token' });

  test('mode pr: a PR that touches no subject of a config without `always` subjects says "Nothing measured"', async ({
    fake,
    world,
    runPr,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 24,
      baseSha: repo.base,
      headSha: repo.docs,
      files: [{ filename: 'README.md', status: 'modified' }],
    });
    const r = await runPr({
      number: 24,
      base: repo.base,
      head: repo.docs,
      inputs: { config: 'bootgate-templates.yml' },
    });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain('measuring: (nothing)\n');
    expect(r.stdout).not.toMatch(/boot 1\//);
    expect(r.outputs['verdict']).toBe('no-change');
    const comments = fake.comments.filter((c) => c.issue === 24);
    expect(comments).toHaveLength(1);
    for (const text of [comments[0]!.body, r.summary]) {
      expect(text).toContain('<!-- bootgate-report:bootgate-templates.yml -->');
      expect(text).toContain('**Nothing measured** — this pull request touches no subject of the config.');
    }
  });

  test('mode report: a fork PR that measured nothing gets the "Nothing measured" comment', async ({
    fake,
    world,
    runPr,
    runReport,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 25,
      baseSha: repo.base,
      headSha: repo.docs,
      files: [{ filename: 'README.md', status: 'modified' }],
    });
    const fork = await runPr({
      number: 25,
      base: repo.base,
      head: repo.docs,
      inputs: { config: 'bootgate-templates.yml' },
      headRepo: 'evil/embox',
      token: 'fork-token',
    });
    expect(fork.code, explain(fork)).toBe(0);
    expect(fake.writeCalls()).toEqual([]);
    const report = await runReport({ prRunId: fork.runId, headSha: repo.docs, workspace: repo.dir });
    expect(report.code, explain(report)).toBe(0);
    const comments = fake.comments.filter((c) => c.issue === 25);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('**Nothing measured**');
    expect(report.summary).toContain('**Nothing measured**');
  });
});
