// The CLI as a person meets it: --version, a typo answered with the fix (not the whole help), and
// on a terminal (a pseudo-terminal from util-linux `script`) the progress line and colour, which
// NO_COLOR turns off.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';
import { CLI } from '../helpers/fixture-repo.js';

let dir: string;
let kernel: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-cli-ux-'));
  kernel = (await buildMultibootFixture()).kernel;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a pseudo-terminal; returns what the terminal showed. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ code: number; screen: string }> {
  const command = ['node', CLI, ...args].map(quote).join(' ');
  const r = await execa('script', ['-qefc', command, '/dev/null'], {
    reject: false,
    env: { TERM: 'xterm', ...env },
    extendEnv: true,
    timeout: 300_000,
  });
  return { code: r.exitCode ?? -1, screen: String(r.stdout) };
}

const fixture = (): string[] => [
  '--name',
  'fixture',
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
  '--runs',
  '3',
  '--warmup',
  '1',
];

describe('bootgate CLI for people', () => {
  it('--version and -V print the package version', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await execa('node', [CLI, flag]);
      expect(r.stdout.trim()).toBe(manifest.version);
    }
  });

  it('a mistyped command or flag gets "Did you mean" and one hint line, exit 2', async () => {
    const command = await execa('node', [CLI, 'mesure'], { reject: false });
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toContain("error: unknown command 'mesure'");
    expect(command.stderr).toContain('(Did you mean measure?)');
    expect(command.stderr).not.toContain('Options:');
    expect(command.stderr.trim().split('\n')).toHaveLength(3);

    const flag = await execa('node', [CLI, 'measure', '--runz', '3'], { reject: false });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain('(Did you mean --runs?)');
    expect(flag.stderr).not.toContain('Options:');
  });

  it('on a terminal: a status line with the boot bar and ETA, colour; NO_COLOR turns colour off', async () => {
    const json = path.join(dir, 'tty.json');
    const tty = await onTerminal(['measure', ...fixture(), '--json', json]);
    expect(tty.code, tty.screen).toBe(0);
    expect(tty.screen).toContain('\r\u001b[2K');
    expect(tty.screen).toMatch(/boots \[#+\.*\] 2\/3 ETA \d+s/);
    expect(tty.screen).toMatch(/boots \[#{20}\] 3\/3/);
    expect(tty.screen).toMatch(/warm-up\S* \S*fixture warm-up 1\/1/);

    // the same file on both sides: no change, or inconclusive when 3 boots spread past ±5 %
    const coloured = await onTerminal(['compare', '--base', json, '--head', json]);
    expect(coloured.screen).toMatch(/\u001b\[(1|33)mverdict: (NO CHANGE|INCONCLUSIVE)/);
    const plain = await onTerminal(['compare', '--base', json, '--head', json], { NO_COLOR: '1' });
    expect(plain.screen).toMatch(/verdict: (NO CHANGE|INCONCLUSIVE)/);
    expect(plain.screen).not.toContain('\u001b[');
  });

  it('not a terminal: plain lines, one per boot, no escape codes', async () => {
    const r = await execa('node', [CLI, 'measure', ...fixture()], { reject: false, cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^fixture boot 3\/3: boot \d+\.\d ms$/m);
    expect(r.stderr + r.stdout).not.toContain('\u001b[');
  });
});
