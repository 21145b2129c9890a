import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { ConfigError } from '../../src/config/errors.js';
import { subjectFlags, subjectOptions } from '../../src/cli/flags.js';
import { parseConfigText } from '../../src/config/load.js';
import { resolveSubjects } from '../../src/config/subjects.js';
import { guestFromSettings } from '../../src/build/guest-settings.js';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('bootgate.yml validation', () => {
  it('names the offending key and what was expected', () => {
    const text = 'subjects:\n  - name: a\n    os: custom\n    kernel: k\n    runs: -3\n';
    expect(configError(() => parseConfigText(text, 'bootgate.yml'))).toMatch(
      /bootgate\.yml subjects\[0\]\.runs: .*(>0|positive|too small)/i,
    );
  });

  it('rejects unknown keys by name', () => {
    const text = 'subjects:\n  - name: a\n    os: custom\n    kernal: k\n';
    expect(configError(() => parseConfigText(text, 'bootgate.yml'))).toContain('subjects[0]: unknown key(s) "kernal"');
  });

  it('rejects an invalid regex and an unknown os', () => {
    expect(
      configError(() => parseConfigText('subjects:\n  - name: a\n    os: custom\n    start-marker: "("\n', 'f.yml')),
    ).toContain('subjects[0].start-marker: expected a valid regular expression');
    expect(configError(() => parseConfigText('subjects:\n  - name: a\n    os: linux\n', 'f.yml'))).toMatch(
      /subjects\[0\]\.os: .*custom.*embox.*rumprun/,
    );
  });

  it('reports YAML syntax errors and duplicate names', () => {
    expect(configError(() => parseConfigText('subjects: [', 'f.yml'))).toContain('f.yml: not valid YAML');
    expect(
      configError(() => parseConfigText('subjects:\n  - {name: a, os: custom}\n  - {name: a, os: custom}\n', 'f.yml')),
    ).toContain('"a" is used twice');
  });

  it('merges defaults < subject < flags and resolves paths against the file', () => {
    const config = parseConfigText(
      'defaults:\n  runs: 5\n  timeout: 20\nsubjects:\n  - name: a\n    os: custom\n    kernel: img/k.elf\n    runs: 7\n  - name: b\n    os: custom\n    kernel: /abs/k\n',
      'f.yml',
    );
    const subjects = resolveSubjects({ file: { config, baseDir: '/repo' }, flags: { timeout: 9 } });
    expect(subjects.map((s) => [s.name, s.settings.runs, s.settings.timeout, s.settings.kernel])).toEqual([
      ['a', 7, 9, '/repo/img/k.elf'],
      ['b', 5, 9, '/abs/k'],
    ]);
    expect(resolveSubjects({ file: { config, baseDir: '/repo' }, flags: {}, only: ['b'] }).map((s) => s.name)).toEqual([
      'b',
    ]);
    expect(
      configError(() => resolveSubjects({ file: { config, baseDir: '/repo' }, flags: {}, only: ['zz'] })),
    ).toContain('no subject named "zz"');
  });

  it('requires what each os needs', () => {
    expect(configError(() => resolveSubjects({ flags: {} }))).toContain('--os');
    expect(configError(() => resolveSubjects({ flags: { os: 'custom' } }))).toContain('needs "kernel"');
    expect(configError(() => resolveSubjects({ flags: { os: 'embox' } }))).toContain('needs "source"');
  });
});

describe('command-line flags', () => {
  function parse(argv: string[]): Record<string, unknown> {
    const command = new Command().exitOverride();
    for (const option of subjectOptions()) command.addOption(option);
    command.parse(argv, { from: 'user' });
    return command.opts();
  }

  it('has one flag per config key, converted to the schema types', () => {
    const flags = subjectFlags(
      parse([
        '--os',
        'custom',
        '--kernel',
        'k',
        '--runs',
        '12',
        '--no-network',
        '--qemu-args',
        '-smp 1',
        '--qemu-args',
        '-cpu max',
        '--start-marker',
        'A',
      ]),
    );
    expect(flags).toEqual({
      os: 'custom',
      kernel: 'k',
      runs: 12,
      network: false,
      'qemu-args': ['-smp', '1', '-cpu', 'max'],
      'start-marker': 'A',
    });
  });

  it('names the flag in errors', () => {
    expect(configError(() => subjectFlags(parse(['--runs', 'many'])))).toContain('--runs: expected a number');
    expect(configError(() => subjectFlags(parse(['--runs', '0'])))).toContain('--runs');
    expect(configError(() => subjectFlags(parse(['--guest-ip', '300.1.1.1'])))).toContain('--guest-ip');
  });
});

describe('guestFromSettings', () => {
  it('lets every setting override what a build derived', () => {
    const guest = guestFromSettings(
      'e',
      { memory: 512, 'guest-ip': '10.0.2.99' },
      {
        qemu: 'qemu-system-i386',
        kernel: '/k',
        memoryMb: 256,
        startMarker: 'S',
        readyMarker: 'R',
        network: { nic: 'e1000', guestIp: '10.0.2.16', guestPort: 80, gateway: '10.0.2.10' },
      },
    );
    expect(guest).toMatchObject({
      qemu: 'qemu-system-i386',
      memoryMb: 512,
      network: { nic: 'e1000', guestIp: '10.0.2.99', gateway: '10.0.2.10', guestPort: 80 },
    });
  });

  it('asks for the markers a custom guest needs', () => {
    expect(configError(() => guestFromSettings('x', { kernel: '/k' }))).toContain('missing "start-marker"');
  });
});
