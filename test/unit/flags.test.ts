// The subject flags of the CLI (src/cli/flags.ts): one flag per config key, parsed by commander
// and checked against the config schema. Good values become the schema's types; a bad value is a
// ConfigError (or commander's error, for a choice) naming the flag.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { subjectFlags, subjectOptions } from '../../src/cli/flags.js';
import { SUBJECT_KEYS } from '../../src/config/schema.js';

function parse(argv: string[]): Record<string, unknown> {
  const command = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  for (const option of subjectOptions()) command.addOption(option);
  command.parse(argv, { from: 'user' });
  return command.opts();
}

const flags = (...argv: string[]) => subjectFlags(parse(argv));

/** The ConfigError's message for `argv`; fails the test if the flags are accepted. */
function flagError(...argv: string[]): string {
  try {
    flags(...argv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${argv.join(' ')}`);
}

describe('subject flags', () => {
  it('offers one flag per config key (and --no-<key> for a boolean)', () => {
    const names = subjectOptions().map((o) => o.long);
    for (const key of SUBJECT_KEYS) expect(names, key).toContain(`--${key}`);
    expect(names).toContain('--no-network');
    expect(names).toContain('--no-deterministic');
  });

  it('turns numbers into numbers, keeps strings, and reads both forms of a boolean', () => {
    expect(flags('--memory', '128', '--timeout', '2.5', '--warmup', '0', '--guest-port', '8080')).toEqual({
      memory: 128,
      timeout: 2.5,
      warmup: 0,
      'guest-port': 8080,
    });
    expect(flags('--deterministic', '--no-always', '--network')).toEqual({
      deterministic: true,
      always: false,
      network: true,
    });
    expect(flags('--bake-target', 'hw_generic', '--template', 'x86/qemu', '--mac', '52:54:00:12:34:56')).toEqual({
      'bake-target': 'hw_generic',
      template: 'x86/qemu',
      mac: '52:54:00:12:34:56',
    });
    // thresholds stay text: the config schema and the gate read "5%", "40ms" and a bare percent alike
    expect(flags('--threshold', '40ms', '--module-threshold', '10ms')).toEqual({
      threshold: '40ms',
      'module-threshold': '10ms',
    });
    expect(flags()).toEqual({});
  });

  it('splits --qemu-args on spaces and adds up repeated ones', () => {
    expect(flags('--qemu-args', ' -smp  2 ', '--qemu-args', '-cpu max')).toEqual({
      'qemu-args': ['-smp', '2', '-cpu', 'max'],
    });
  });

  it('names the flag when a number is not a number', () => {
    expect(flagError('--memory', 'abc')).toBe('command line --memory: expected a number, got "abc"');
    expect(flagError('--timeout', 'soon')).toBe('command line --timeout: expected a number, got "soon"');
  });

  it('names the flag and the ceiling when a number is out of range', () => {
    expect(flagError('--runs', '1000000000')).toBe('command line --runs: expected at most 5000 counted boots');
    expect(flagError('--warmup', '100000')).toBe('command line --warmup: expected at most 1000 warm-up boots');
    expect(flagError('--timeout', '3000000')).toBe('command line --timeout: expected at most 86400 seconds (one day)');
    expect(flagError('--memory', '100000000')).toBe('command line --memory: expected at most 65536 MiB');
    expect(flagError('--max-runs', '5001')).toBe('command line --max-runs: expected at most 5000 counted boots');
    expect(flagError('--runs', '0')).toMatch(/^command line --runs: .*>0/);
    expect(flagError('--memory', '1.5')).toMatch(/^command line --memory: .*int/);
    expect(flagError('--guest-port', '70000')).toMatch(/^command line --guest-port: .*65535/);
  });

  it('names the flag when text has the wrong form', () => {
    expect(flagError('--threshold', '20s')).toBe(
      'command line --threshold: expected a threshold like "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms',
    );
    expect(flagError('--module-threshold', '5%')).toBe(
      'command line --module-threshold: expected a time like "10ms", greater than 0',
    );
    expect(flagError('--template', '../qemu')).toBe(
      'command line --template: expected an Embox template like x86/qemu, without "." or ".." parts',
    );
    expect(flagError('--template', 'qemu')).toBe('command line --template: expected an Embox template like x86/qemu');
    expect(flagError('--mac', 'zz')).toBe('command line --mac: expected a MAC address like 52:54:00:12:34:56');
    expect(flagError('--net', '10.0.2.0')).toBe('command line --net: expected an IPv4 network like 10.0.2.0/24');
    expect(flagError('--start-marker', '(')).toBe('command line --start-marker: expected a valid regular expression');
    expect(flagError('--gateway', '1.2.3')).toMatch(/^command line --gateway: /);
    expect(flagError('--http-path', 'index.html')).toMatch(/^command line --http-path: .*"\/"/);
    expect(flagError('--kernel', '')).toMatch(/^command line --kernel: /);
  });

  it('lists every bad flag, one line each', () => {
    expect(
      flagError('--runs', '0', '--mac', 'zz')
        .split('\n')
        .map((l) => l.split(':')[0])
        .sort(),
    ).toEqual(['command line --mac', 'command line --runs']);
  });

  it("refuses a value outside a flag's choices before any check, naming the flag and the choices", () => {
    for (const [flag, value, choices] of [
      ['--os', 'linux', 'custom, embox, rumprun'],
      ['--bake-target', 'hw_xen', 'hw_virtio, hw_generic'],
    ] as const) {
      let error: unknown;
      try {
        parse([flag, value]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CommanderError);
      expect((error as Error).message).toBe(
        `error: option '${flag} <value>' argument '${value}' is invalid. Allowed choices are ${choices}.`,
      );
    }
  });
});
