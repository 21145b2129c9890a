// Reading bootgate.yml (src/config/load.ts): a file that is not there, not YAML or not a config is
// a ConfigError naming the file and the key; a good one parses to its subjects with paths relative
// to its folder.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile, parseConfigText } from '../../src/config/load.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-config-file-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The ConfigError's message for `text` read as b.yml; fails the test if it parses. */
function configError(text: string): string {
  try {
    parseConfigText(text, 'b.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(text)}`);
}

describe('config file', () => {
  it('parses a full config: version, defaults and subjects with their settings', () => {
    const config = parseConfigText(
      [
        'version: 1',
        'defaults:',
        '  runs: 10',
        '  threshold: 5%',
        'subjects:',
        '  - name: x86-qemu',
        '    os: embox',
        '    source: .',
        '    template: x86/qemu',
        '    qemu-args: [-smp, "2"]',
        '  - name: fixture.v2',
        '    os: custom',
        '    kernel: kernel.elf',
        '    network: false',
        '    threshold: 40ms',
        '    module-threshold: 10ms',
        '',
      ].join('\n'),
      'b.yml',
    );
    expect(config).toEqual({
      version: 1,
      defaults: { runs: 10, threshold: '5%' },
      subjects: [
        { name: 'x86-qemu', os: 'embox', source: '.', template: 'x86/qemu', 'qemu-args': ['-smp', '2'] },
        {
          name: 'fixture.v2',
          os: 'custom',
          kernel: 'kernel.elf',
          network: false,
          threshold: '40ms',
          'module-threshold': '10ms',
        },
      ],
    });
  });

  it('refuses a document that is not a mapping, naming the file', () => {
    expect(configError('')).toMatch(/^b\.yml: .*expected object/);
    expect(configError('just text')).toMatch(/^b\.yml: .*expected object/);
    expect(configError('- a\n- b\n')).toMatch(/^b\.yml: .*expected object/);
  });

  it('names the key, with its place in lists, when a value is wrong', () => {
    expect(configError('version: 2\nsubjects: [{name: a, os: custom}]\n')).toMatch(/^b\.yml version: /);
    expect(configError('subjects: []\n')).toBe('b.yml subjects: expected at least one subject');
    expect(configError('subjects:\n  - name: "a b"\n    os: custom\n')).toBe(
      'b.yml subjects[0].name: expected a name of letters, digits, ".", "_" or "-"',
    );
    expect(configError('defaults:\n  runs: 0\nsubjects: [{name: a}]\n')).toMatch(/^b\.yml defaults\.runs: /);
    expect(configError('subjects:\n  - name: a\n    qemu-args: -smp 2\n')).toMatch(
      /^b\.yml subjects\[0\]\.qemu-args: .*expected array/,
    );
    expect(configError('subjects:\n  - name: a\n    memory: "128"\n')).toMatch(
      /^b\.yml subjects\[0\]\.memory: .*expected number/,
    );
    expect(configError('subjects:\n  - name: a\n    threshold: 3 percent\n')).toBe(
      'b.yml subjects[0].threshold: expected a threshold like "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms',
    );
    expect(configError('subjects:\n  - name: a\n    os: custom\n  - name: b\n    os: embox\n    template: x86\n')).toBe(
      'b.yml subjects[1].template: expected an Embox template like x86/qemu',
    );
  });

  it('lists every problem, one line each', () => {
    const lines = configError('subjects:\n  - name: a\n    runs: 0\n    mac: zz\n    colour: red\n').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual([
      'b.yml subjects[0]',
      'b.yml subjects[0].mac',
      'b.yml subjects[0].runs',
    ]);
    expect(lines).toContain('b.yml subjects[0]: unknown key(s) "colour"');
  });

  it('loadConfigFile reads the file and gives its folder for relative paths', async () => {
    await mkdir(path.join(dir, 'ci'), { recursive: true });
    const file = path.join(dir, 'ci', 'boot.yml');
    await writeFile(file, 'subjects:\n  - name: a\n    os: custom\n    kernel: k.elf\n');
    const { config, baseDir } = await loadConfigFile(file);
    expect(config.subjects.map((s) => s.name)).toEqual(['a']);
    expect(baseDir).toBe(path.join(dir, 'ci'));
  });

  it('loadConfigFile names the file that cannot be read, and errors inside it by its name', async () => {
    await expect(loadConfigFile(path.join(dir, 'missing.yml'))).rejects.toThrow(
      `config: cannot read "${path.join(dir, 'missing.yml')}": ENOENT`,
    );
    await expect(loadConfigFile(dir)).rejects.toThrow(`config: cannot read "${dir}": EISDIR`);
    await writeFile(path.join(dir, 'broken.yml'), 'subjects: [\n');
    await expect(loadConfigFile(path.join(dir, 'broken.yml'))).rejects.toThrow(/^broken\.yml: not valid YAML/);
    await expect(loadConfigFile(path.join(dir, 'missing.yml'))).rejects.toBeInstanceOf(ConfigError);
  });
});
