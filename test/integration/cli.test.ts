import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';
import type { ResultsDocument } from '../../src/measure/results.js';
import { processesMentioning } from '../helpers/processes.js';
import { CLI } from '../helpers/fixture-repo.js';

const tmp = (): Promise<string> => mkdtemp(path.join(os.tmpdir(), 'bootgate-cli-'));

function fixtureFlags(kernel: string): string[] {
  return [
    '--os',
    'custom',
    '--kernel',
    kernel,
    '--qemu',
    'qemu-system-i386',
    '--memory',
    '64',
    '--no-network',
    '--start-marker',
    'bootgate-fixture: kernel start',
    '--ready-marker',
    'bootgate-fixture: ready',
  ];
}

describe('bootgate CLI (the bundled dist/cli.js, as a user runs it)', () => {
  it('has --help on every command', async () => {
    for (const command of ['measure', 'gate', 'compare', 'demo']) {
      const result = await execa('node', [CLI, command, '--help'], { reject: false });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`Usage: bootgate ${command}`);
    }
    const measure = await execa('node', [CLI, 'measure', '--help']);
    for (const flag of [
      '--os',
      '--source',
      '--template',
      '--download-dir',
      '--kernel',
      '--runs',
      '--warmup',
      '--deterministic',
    ]) {
      expect(measure.stdout).toContain(flag);
    }
  });

  it('measure --json writes the results document with every boot', async () => {
    const fixture = await buildMultibootFixture();
    const dir = await tmp();
    const json = path.join(dir, 'out.json');
    const result = await execa(
      'node',
      [CLI, 'measure', ...fixtureFlags(fixture.kernel), '--runs', '3', '--warmup', '1', '--json', json, '--quiet'],
      { reject: false },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('3/3');
    const doc = JSON.parse(await readFile(json, 'utf8')) as ResultsDocument;
    expect(doc.schema).toBe('bootgate/results@1');
    const subject = doc.subjects[0]!;
    expect(subject).toMatchObject({ name: 'custom', os: 'custom', variant: null });
    expect(subject.boots).toHaveLength(3);
    expect(subject.warmup).toHaveLength(1);
    for (const boot of subject.boots) {
      expect(boot).toMatchObject({ ok: true, httpMs: null, instructions: null, error: null });
      expect(boot.bootMs).toBeGreaterThan(0);
      expect(boot.modules.length).toBe(fixture.modules.length);
      expect(await readFile(path.join(dir, boot.log!), 'utf8')).toContain('bootgate-fixture: ready');
    }
    expect(subject.summary).toMatchObject({ n: 3, total: 3, failed: 0 });
    expect(subject.summary.ci95).toHaveLength(2);
    expect(typeof subject.summary.cv).toBe('number');
  });

  it('measure --deterministic: boots two at a time, one count, per-module instructions in results and table', async () => {
    // the module work scaled down and no time-bound waits: short boots, still exact
    const fixture = await buildMultibootFixture({
      modules: [
        { name: 'm.a', iterations: 20_000 },
        { name: 'm.b', iterations: 40_000 },
      ],
    });
    const dir = await tmp();
    const json = path.join(dir, 'out.json');
    const result = await execa(
      'node',
      [
        CLI,
        'measure',
        ...fixtureFlags(fixture.kernel),
        '--deterministic',
        '--start-symbol',
        'bootgate_fixture_started',
        '--ready-symbol',
        'bootgate_fixture_ready',
        '--runs',
        '4',
        '--warmup',
        '0',
        '--parallel',
        '2',
        '--json',
        json,
        '--quiet',
      ],
      { reject: false },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const subject = (JSON.parse(await readFile(json, 'utf8')) as ResultsDocument).subjects[0]!;
    expect(subject.deterministic).toBe(true);
    expect(subject.boots.map((b) => b.index)).toEqual([0, 1, 2, 3]);
    const counts = new Set(subject.boots.map((b) => b.instructions));
    expect(counts.size).toBe(1);
    const total = [...counts][0]!;
    for (const boot of subject.boots) {
      expect(boot.modules.map((m) => [m.name, m.ms])).toEqual([
        ['m.a', null],
        ['m.b', null],
      ]);
      const [a, b] = boot.modules.map((m) => m.instructions!);
      expect(a).toBeGreaterThan(40_000);
      expect(b! - a!).toBe(40_000); // 20,000 more iterations of 2 instructions, nothing else differs
      expect(a! + b!).toBeLessThanOrEqual(total);
    }
    expect(subject.summary.moduleInstructions!.map((m) => m.name)).toEqual(['m.b', 'm.a']);
    expect(subject.summary.unattributedInstructions).toBe(
      total - subject.boots[0]!.modules.reduce((sum, m) => sum + m.instructions!, 0),
    );
    expect(result.stdout).toMatch(/custom: instructions per module init \(median over 4 boots\)/);
    expect(result.stdout).toMatch(/\(outside any module\)\s+[\d,]+/);
  });

  it('leaves no QEMU behind and writes partial results when SIGTERM arrives mid-measure', async () => {
    const fixture = await buildMultibootFixture({ hang: true });
    const dir = await tmp();
    const json = path.join(dir, 'partial.json');
    const child = execa(
      'node',
      [
        CLI,
        'measure',
        ...fixtureFlags(fixture.kernel),
        '--runs',
        '5',
        '--warmup',
        '0',
        '--timeout',
        '60',
        '--json',
        json,
      ],
      { reject: false },
    );
    // wait until QEMU runs
    for (let i = 0; i < 100 && (await processesMentioning(fixture.kernel)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await processesMentioning(fixture.kernel)).length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.stderr).toContain('partial');
    expect(result.exitCode).toBe(130);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
    const doc = JSON.parse(await readFile(json, 'utf8')) as ResultsDocument;
    expect(doc.partial).toBe(true);
  });

  it('counts a failed boot as failed, exits 3, and keeps its serial tail', async () => {
    const fixture = await buildMultibootFixture({ exitAfterModule: 'embox.mem.heap' });
    const dir = await tmp();
    const json = path.join(dir, 'failed.json');
    const result = await execa(
      'node',
      [CLI, 'measure', ...fixtureFlags(fixture.kernel), '--runs', '2', '--warmup', '0', '--json', json, '--quiet'],
      { reject: false },
    );
    expect(result.exitCode).toBe(3);
    const doc = JSON.parse(await readFile(json, 'utf8')) as ResultsDocument;
    expect(doc.subjects[0]!.summary).toMatchObject({ n: 0, total: 2, failed: 2 });
    expect(doc.subjects[0]!.boots[0]!.error).toContain('initializing embox.mem.heap');
  });

  it('rejects bad input with the name of the input and exit 2', async () => {
    const dir = await tmp();
    const config = path.join(dir, 'bootgate.yml');
    await writeFile(config, 'subjects:\n  - name: a\n    os: custom\n    kernel: k\n    ready-marker: 42\n');
    const bad = await execa('node', [CLI, 'measure', '--config', config], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('subjects[0].ready-marker');
    const noKernel = await execa(
      'node',
      [
        CLI,
        'measure',
        '--os',
        'custom',
        '--kernel',
        path.join(dir, 'missing.elf'),
        '--start-marker',
        'a',
        '--ready-marker',
        'b',
      ],
      { reject: false },
    );
    expect(noKernel.exitCode).toBe(2);
    expect(noKernel.stderr).toContain('missing.elf" does not exist');
    const runs = await execa('node', [CLI, 'measure', '--os', 'custom', '--kernel', 'k', '--runs', 'ten'], {
      reject: false,
    });
    expect(runs.exitCode).toBe(2);
    expect(runs.stderr).toContain('--runs');
    const embox = await execa('node', [CLI, 'measure', '--os', 'embox', '--source', dir], { reject: false });
    expect(embox.exitCode).not.toBe(0);
    expect(embox.stderr).toMatch(/not an Embox checkout/i);
  });

  it('compare gives the verdict from two results files, says inconclusive, writes the Markdown', async () => {
    const fixture = await buildMultibootFixture();
    const dir = await tmp();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    for (const file of [a, b]) {
      // 2 boots a side: too few for any verdict
      await execa('node', [
        CLI,
        'measure',
        ...fixtureFlags(fixture.kernel),
        '--runs',
        '2',
        '--warmup',
        '0',
        '--json',
        file,
        '--quiet',
      ]);
    }
    const md = path.join(dir, 'report.md');
    const result = await execa('node', [CLI, 'compare', '--base', a, '--head', b, '--markdown', md], { reject: false });
    // the data cannot decide, and bootgate says so
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('INCONCLUSIVE');
    expect(result.stderr).toContain('inconclusive');
    expect(await readFile(md, 'utf8')).toContain('Inconclusive');
    const strict = await execa('node', [CLI, 'compare', '--base', a, '--head', b, '--fail-on-inconclusive'], {
      reject: false,
    });
    expect(strict.exitCode).toBe(1);
    // a threshold in ms, and bad thresholds named with exit 2
    const ms = await execa(
      'node',
      [CLI, 'compare', '--base', a, '--head', b, '--threshold', '40ms', '--module-threshold', '10ms'],
      { reject: false },
    );
    expect(ms.exitCode).toBe(0);
    expect(ms.stdout).toContain('threshold 40 ms');
    for (const [flag, value] of [
      ['--threshold', '4 seconds'],
      ['--module-threshold', '5%'],
    ] as const) {
      const bad = await execa('node', [CLI, 'compare', '--base', a, '--head', b, flag, value], { reject: false });
      expect(bad.exitCode, bad.stderr).toBe(2);
      expect(bad.stderr).toContain(`command line ${flag}`);
    }
    const broken = await execa('node', [CLI, 'compare', '--base', a, '--head', md], { reject: false });
    expect(broken.exitCode).not.toBe(0);
    expect(broken.stderr).toContain('report.md');
  });
});
