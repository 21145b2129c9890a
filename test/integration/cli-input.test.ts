// Bad input exits 2 with a message naming the input, before any build or boot: results files
// that fail the schema, numbers past their ceiling, Embox sources and templates that are not there.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/fixture-repo.js';
import { validPair } from '../helpers/results-doc.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-cli-input-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const bootgate = (args: string[]) => execa('node', [CLI, ...args], { reject: false, cwd: dir, timeout: 60_000 });
const customFlags = [
  '--os',
  'custom',
  '--kernel',
  'missing.elf',
  '--no-network',
  '--start-marker',
  's',
  '--ready-marker',
  'r',
];

describe('bootgate CLI, bad input exits 2', () => {
  it('compare refuses a results file that fails the schema, naming the field; an unreadable one too', async () => {
    const { base, head } = validPair();
    const evil = JSON.parse(JSON.stringify(head)) as { subjects: { summary: { n: unknown } }[] };
    evil.subjects[0]!.summary.n = '<img src=x onerror=alert(1)>';
    await writeFile(path.join(dir, 'base.json'), JSON.stringify(base));
    await writeFile(path.join(dir, 'evil.json'), JSON.stringify(evil));
    const refused = await bootgate([
      'compare',
      '--base',
      'base.json',
      '--head',
      'evil.json',
      '--markdown',
      'report.md',
    ]);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('evil.json subjects[0].summary.n: ');
    expect(refused.stderr).not.toContain('onerror');
    const missing = await bootgate(['compare', '--base', 'base.json', '--head', 'nope.json']);
    expect(missing.exitCode, missing.stderr).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot read the results file (ENOENT)');
    await writeFile(path.join(dir, 'head.json'), JSON.stringify(head));
    const ok = await bootgate(['compare', '--base', 'base.json', '--head', 'head.json']);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  it('refuses --runs, --timeout, --warmup and --memory past their ceilings', async () => {
    const cases: [string[], string][] = [
      [['--runs', '1000000000'], '--runs: expected at most 5000 counted boots'],
      [['--timeout', '3000000'], '--timeout: expected at most 86400 seconds'],
      [['--warmup', '100000'], '--warmup: expected at most 1000 warm-up boots'],
      [['--memory', '100000000'], '--memory: expected at most 65536 MiB'],
      [['--template', '../qemu'], '--template: expected an Embox template like x86/qemu'],
    ];
    for (const [flags, message] of cases) {
      const r = await bootgate(['measure', ...customFlags, ...flags]);
      expect(r.exitCode, `${flags.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const demo = await bootgate(['demo', '--runs', '1000000000']);
    expect(demo.exitCode, demo.stderr).toBe(2);
    expect(demo.stderr).toContain('--runs: expected a whole number from 1 to 5000');
  });

  it('an Embox or Rumprun source that is not a checkout, or an unknown template, exits 2', async () => {
    const notCheckout = await bootgate([
      'measure',
      '--os',
      'embox',
      '--source',
      dir,
      '--template',
      'x86/qemu',
      '--build-dir',
      path.join(dir, 'build'),
    ]);
    expect(notCheckout.exitCode, notCheckout.stderr).toBe(2);
    expect(notCheckout.stderr).toContain('is not an Embox checkout');
    // The smallest tree that passes the checkout test: Makefile, mk/main.mk with confload, one template.
    const embox = path.join(dir, 'embox');
    await mkdir(path.join(embox, 'mk'), { recursive: true });
    await mkdir(path.join(embox, 'templates', 'x86', 'qemu'), { recursive: true });
    await writeFile(path.join(embox, 'Makefile'), 'include mk/main.mk\n');
    await writeFile(path.join(embox, 'mk', 'main.mk'), 'confload-%:\n\t@true\n');
    await writeFile(path.join(embox, 'templates', 'x86', 'qemu', 'build.conf'), 'TARGET = embox\nARCH = x86\n');
    const unknown = await bootgate([
      'measure',
      '--os',
      'embox',
      '--source',
      embox,
      '--template',
      'x86/nosuch',
      '--build-dir',
      path.join(dir, 'build'),
    ]);
    expect(unknown.exitCode, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain('unknown Embox template "x86/nosuch"');
    expect(unknown.stderr).toContain('x86/qemu');
    const rumprun = await bootgate([
      'measure',
      '--os',
      'rumprun',
      '--source',
      path.join(dir, 'embox'),
      '--build-dir',
      path.join(dir, 'build'),
    ]);
    expect(rumprun.exitCode, rumprun.stderr).toBe(2);
    expect(rumprun.stderr).toContain('not a Rumprun checkout');
  });
});
