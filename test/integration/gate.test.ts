import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { Subject } from '../../src/config/subjects.js';
import { runGate } from '../../src/engine/gate.js';
import type { BootRecord, ResultsDocument } from '../../src/measure/results.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/compare/index.js';
import { CLI, fixtureRepo, fixtureSubject } from '../helpers/fixture-repo.js';
import { startCpuHog } from '../helpers/processes.js';

const quiet = { log: () => {} };

async function gate(
  repo: { dir: string; commits: string[] },
  base: number,
  head: number,
  runs: number,
  maxRuns = runs,
  subjects?: Subject[],
) {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-gate-'));
  return runGate({
    subjects: subjects ?? [fixtureSubject(repo.dir)],
    base: repo.commits[base],
    head: repo.commits[head],
    outDir,
    gate: DEFAULT_GATE_OPTIONS,
    runsOverride: runs,
    maxRunsOverride: maxRuns,
    warmupOverride: 1,
    ...quiet,
    worktreeDir: path.join(outDir, 'worktrees'),
  });
}

/** The variant of each counted boot, in the order they ran. */
function bootOrder(base: readonly BootRecord[], head: readonly BootRecord[]): string {
  return [...base.map((b) => ({ b, v: 'A' })), ...head.map((b) => ({ b, v: 'B' }))]
    .sort((x, y) => x.b.sequence - y.b.sequence)
    .map((x) => x.v)
    .join('');
}

/** A subject of the fixture repository whose build command fails when NOTES.md says so. */
function breakableSubject(dir: string): Subject {
  const fixture = fixtureSubject(dir, {
    'build-command':
      `if grep -q 'breaks the build' NOTES.md; then echo 'kernel.c:12: error: expected ";" before "}"' >&2; exit 2; fi; ` +
      `node ${CLI} fixture --params params.json --out kernel-b.elf`,
    kernel: path.join(dir, 'kernel-b.elf'),
  });
  return { ...fixture, name: 'breakable' };
}

describe('gate on the multiboot fixture: base vs head built from git work trees, booted interleaved', () => {
  it('decides identical images (a comment-only change) at once, without a boot', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: {}, note: 'only a comment changed' }]);
    const outcome = await gate(repo, 0, 1, 10);
    expect(outcome.comparison.state).toBe('no change');
    expect(outcome.base.subjects[0]!.boots).toHaveLength(0);
    expect(outcome.head.subjects[0]!.warmup).toHaveLength(0);
    expect(outcome.head.subjects[0]!.identicalImage).toBe('same bytes');
    expect(outcome.markdown).toContain('identical image (same bytes)');
  });

  it('boots base and head interleaved, and adds pairs until it can decide (runs 3, max-runs 9)', async () => {
    // Three boots a side can never reach p < 0.01 (the least p is 0.1): the gate must look again.
    const repo = await fixtureRepo([{ params: {} }, { params: { workPercent: 130 } }]);
    const outcome = await gate(repo, 0, 1, 3, 9);
    expect(outcome.comparison.state).toBe('regression');
    const base = outcome.base.subjects[0]!;
    const head = outcome.head.subjects[0]!;
    expect(base.boots.length).toBeGreaterThan(3);
    expect(base.boots.length).toBe(head.boots.length);
    expect(head.sequential!.looks.slice(0, 2)).toEqual([3, 5]);
    expect(head.sequential!.looks.at(-1)).toBe(head.boots.length);
    // interleaved: base and head boots alternate, A B, B A, … across the added pairs too
    const seq = [
      ...base.boots.map((b) => ({ ...b, side: 'base' })),
      ...head.boots.map((b) => ({ ...b, side: 'head' })),
    ].sort((a, b) => a.sequence - b.sequence);
    for (let i = 0; i < seq.length; i += 2) expect(new Set([seq[i]!.side, seq[i + 1]!.side]).size).toBe(2);
    // warm-ups first (base, head), then the first look's pairs in ABBA order
    expect([base.warmup[0]!.sequence, head.warmup[0]!.sequence]).toEqual([0, 1]);
    expect(Math.min(...[...base.boots, ...head.boots].map((b) => b.sequence))).toBe(2);
    expect(bootOrder(base.boots, head.boots).slice(0, 6)).toBe('ABBAAB');
    expect(outcome.markdown).toMatch(/adaptive: decided at look \d/);
    // phases are stored per boot and diffed in the report
    expect(head.boots[0]!.phases!.map((p) => p.name)).toEqual([
      'start → first module',
      'module init (all modules)',
      'last module → ready',
    ]);
    expect(outcome.markdown).toContain('#### Where the time went');
  });

  it('flags a head doing 10 % more work per module as a regression of about that size, with a CPU hog on the other core', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: { workPercent: 110 } }]);
    // A busy neighbour, as on a shared 2-core runner: with a fixed 10 boots the verdict was
    // inconclusive when another process used the second core; the adaptive gate adds pairs until
    // it can decide.
    const hog = startCpuHog(300_000);
    try {
      const outcome = await gate(repo, 0, 1, 10, 60);
      const verdict = outcome.comparison.subjects[0]!.boot!;
      expect(outcome.comparison.state, outcome.comparison.subjects[0]!.reason).toBe('regression');
      expect(verdict.pct).toBeGreaterThan(4);
      expect(verdict.pct).toBeLessThan(20);
      expect(outcome.markdown).toContain('Regression');
    } finally {
      await hog.stop();
    }
  }, 300_000);

  it('names the module whose work was raised in the per-module diff', async () => {
    const repo = await fixtureRepo([
      { params: {} },
      { params: { slowModule: { name: 'embox.mem.heap', percent: 200 } } },
    ]);
    const outcome = await gate(repo, 0, 1, 6);
    expect(outcome.comparison.subjects[0]!.modules[0]!.name).toBe('embox.mem.heap');
    expect(outcome.comparison.subjects[0]!.modules[0]!.deltaMs).toBeGreaterThan(0);
  });
});

describe('gate when a subject does not build on one side', () => {
  it('a head whose build fails is a regression ("head does not build"); the other subject is still measured', async () => {
    // a little extra work at head, so its image differs from the base's and both are booted
    const repo = await fixtureRepo([
      { params: {} },
      { params: { extraIterations: 1000 }, note: 'this change breaks the build' },
    ]);
    const outcome = await gate(repo, 0, 1, 3, 3, [fixtureSubject(repo.dir), breakableSubject(repo.dir)]);
    expect(outcome.comparison.state).toBe('regression');
    const [fixture, breakable] = outcome.comparison.subjects;
    // measured and decided as if nothing else had happened
    expect(fixture!.name).toBe('fixture');
    expect([fixture!.base.summary.n, fixture!.head.summary.n]).toEqual([3, 3]);
    expect(fixture!.boot).not.toBeNull();

    expect(breakable!.state).toBe('regression');
    expect(breakable!.reason).toMatch(
      /^head does not build \(base does\): build of breakable \[head\] exited with code 2/,
    );
    expect(breakable!.base.summary.n).toBe(3);
    const notBuilt = breakable!.head.notBuilt!;
    expect(notBuilt.stage).toBe('build');
    expect(notBuilt.tail).toContain('kernel.c:12: error: expected ";" before "}"');
    await access(notBuilt.log!);
    expect(breakable!.head.boots).toEqual([]);

    // the results file and the report say the same
    const head = JSON.parse(await readFile(outcome.files.head, 'utf8')) as ResultsDocument;
    expect(head.subjects.map((s) => [s.name, s.notBuilt?.stage ?? null])).toEqual([
      ['fixture', null],
      ['breakable', 'build'],
    ]);
    expect(outcome.markdown).toMatch(/^\*\*Regression\*\* — breakable: head does not build \(base does\)/m);
    expect(outcome.markdown).toContain('| Regression (head does not build) |');
    expect(outcome.markdown).toContain('#### Not built');
    expect(outcome.markdown).toMatch(
      /\*\*breakable\*\* at head \(`[0-9a-f]{12}`\) does not build: build of breakable \\\[head\\\] exited with code 2/,
    );
    expect(outcome.markdown).toContain('kernel.c:12: error: expected ";" before "}"');
  });

  it('a base that does not build where the head does is said, and is not a regression', async () => {
    const repo = await fixtureRepo([
      { params: {}, note: 'this state breaks the build' },
      { params: {}, note: 'fixed' },
    ]);
    const outcome = await gate(repo, 0, 1, 3, 3, [breakableSubject(repo.dir)]);
    const s = outcome.comparison.subjects[0]!;
    expect(s.state).toBe('improvement');
    expect(s.reason).toMatch(/^base does not build, head does/);
    expect(s.head.summary.n).toBe(3);
    expect(outcome.markdown).toContain('| Improvement (base did not build) |');
    expect(outcome.markdown).toMatch(/\*\*breakable\*\* at base \(`[0-9a-f]{12}`\) does not build/);
  });
});

describe('bootgate gate (CLI) exit codes when a subject does not build', () => {
  const flags = (dir: string, buildCommand: string, kernel: string): string[] => [
    '--os',
    'custom',
    '--name',
    'breakable',
    '--source',
    dir,
    '--build-command',
    buildCommand,
    '--kernel',
    path.join(dir, kernel),
    '--qemu',
    'qemu-system-i386',
    '--memory',
    '64',
    '--no-network',
    '--timeout',
    '30',
    '--start-marker',
    'bootgate-fixture: kernel start',
    '--ready-marker',
    'bootgate-fixture: ready',
    '--runs',
    '3',
    '--warmup',
    '0',
  ];
  const cli = (args: string[]) =>
    execa('node', [CLI, ...args], { reject: false, env: { ...process.env, NO_COLOR: '1' } });

  it('1 when the head does not build; 4 when neither side builds; 2 when the kernel path names nothing on either side', async () => {
    const repo = await fixtureRepo([
      { params: {} },
      { params: {}, note: 'this change breaks the build' },
      { params: {}, note: 'still breaks the build' },
    ]);
    const out = await mkdtemp(path.join(os.tmpdir(), 'bootgate-gate-cli-'));
    const breakable = breakableSubject(repo.dir).settings['build-command']!;
    const refs = (base: number, head: number, name: string) => [
      '--base',
      repo.commits[base]!,
      '--head',
      repo.commits[head]!,
      '--out',
      path.join(out, name),
    ];

    const headBroken = await cli(['gate', ...flags(repo.dir, breakable, 'kernel-b.elf'), ...refs(0, 1, 'head-broken')]);
    expect(headBroken.exitCode, headBroken.stderr).toBe(1);
    expect(headBroken.stdout).toMatch(/breakable: regression — head does not build \(base does\)/);
    expect(headBroken.stdout).toContain('breakable [head]: NOT BUILT (build)');
    expect(headBroken.stdout).toContain('kernel.c:12: error: expected ";" before "}"');
    await access(path.join(out, 'head-broken', 'report.md'));

    const neither = await cli(['gate', ...flags(repo.dir, breakable, 'kernel-b.elf'), ...refs(1, 2, 'neither')]);
    expect(neither.exitCode, neither.stderr).toBe(4);
    expect(neither.stderr).toMatch(
      /not built on base nor on head, so not gated: breakable \(build: build of breakable \[base\]|not built on base nor on head, so not gated: breakable \(build: build of breakable \[head\]/,
    );
    const report = await readFile(path.join(out, 'neither', 'report.md'), 'utf8');
    expect(report).toContain('Inconclusive (not built)');
    // compare decides the same from the results files
    const compare = (name: string) =>
      cli(['compare', '--base', path.join(out, name, 'base.json'), '--head', path.join(out, name, 'head.json')]);
    expect((await compare('head-broken')).exitCode).toBe(1);
    expect((await compare('neither')).exitCode).toBe(4);

    // The build succeeds but never writes the kernel the settings name: the settings are wrong.
    const wrongKernel = await cli([
      'gate',
      ...flags(repo.dir, 'true', 'no-such-kernel.elf'),
      ...refs(0, 1, 'wrong-kernel'),
    ]);
    expect(wrongKernel.exitCode, wrongKernel.stderr).toBe(2);
    expect(wrongKernel.stderr).toMatch(
      /not built on base nor on head.*breakable \(config: subject "breakable" kernel: ".*no-such-kernel\.elf" does not exist\)/,
    );
  }, 180_000);
});

describe('bootgate measure (CLI) when a subject does not build', () => {
  it('measures the others, writes them and the failure to the results, exits 4', async () => {
    const repo = await fixtureRepo([{ params: {} }]);
    const out = await mkdtemp(path.join(os.tmpdir(), 'bootgate-measure-cli-'));
    const config = path.join(out, 'bootgate.yml');
    const common =
      `    os: custom\n    source: ${repo.dir}\n    qemu: qemu-system-i386\n    memory: 64\n    network: false\n    timeout: 30\n` +
      `    start-marker: "bootgate-fixture: kernel start"\n    ready-marker: "bootgate-fixture: ready"\n`;
    await writeFile(
      config,
      `version: 1\ndefaults:\n  runs: 2\n  warmup: 0\nsubjects:\n` +
        `  - name: broken\n${common}    kernel: ${path.join(repo.dir, 'never.elf')}\n    build-command: "echo 'ld: cannot find -lkernel' >&2; exit 3"\n` +
        `  - name: fixture\n${common}    kernel: ${path.join(repo.dir, 'kernel.elf')}\n    build-command: node ${CLI} fixture --params params.json --out kernel.elf\n`,
    );
    const json = path.join(out, 'results.json');
    const r = await execa('node', [CLI, 'measure', '--config', config, '--json', json], { reject: false });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain('broken could not be built (build): build of broken exited with code 3');
    expect(r.stdout).toContain('broken: NOT BUILT (build) — build of broken exited with code 3');
    expect(r.stdout).toContain('  ld: cannot find -lkernel');
    const doc = JSON.parse(await readFile(json, 'utf8')) as ResultsDocument;
    expect(doc.subjects.map((s) => [s.name, s.summary.n, s.notBuilt?.stage ?? null])).toEqual([
      ['broken', 0, 'build'],
      ['fixture', 2, null],
    ]);
  }, 120_000);
});
