import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CPIO_TYPE, type CpioEntry, parseCpioNewc, writeCpioNewc } from '../../src/build/cpio.js';

const entries: CpioEntry[] = [
  { kind: 'dir', path: 'bin' },
  { kind: 'dir', path: '/dev', mode: 0o700 },
  { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
  { kind: 'file', path: 'bin/busybox', data: Buffer.from('\x7fELF fake binary'), mode: 0o755 },
  { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
  { kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
  { kind: 'file', path: 'empty', data: new Uint8Array() },
  // sizes 1..4 exercise every padding case
  { kind: 'file', path: 'a', data: Buffer.from('1') },
  { kind: 'file', path: 'ab', data: Buffer.from('12') },
  { kind: 'file', path: 'abc', data: Buffer.from('123') },
  { kind: 'file', path: 'abcd', data: Buffer.from('1234') },
];

function hasCpio(): boolean {
  try {
    execFileSync('cpio', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('writeCpioNewc', () => {
  it('writes newc headers, 4-byte alignment and a trailer', () => {
    const archive = writeCpioNewc(entries);
    expect(archive.length % 4).toBe(0);
    expect(archive.subarray(0, 6).toString('ascii')).toBe('070701');
    // first entry: 110-byte header, "bin\0" (4 bytes) → 114, padded to 116
    expect(archive.subarray(110, 114).toString('latin1')).toBe('bin\0');
    expect(archive.subarray(116, 122).toString('ascii')).toBe('070701');
    expect(archive.includes(Buffer.from('TRAILER!!!\0'))).toBe(true);
    // numeric fields are 8 upper- or lower-case hex digits: namesize of "bin\0" is 4
    expect(archive.subarray(6 + 11 * 8, 6 + 12 * 8).toString('ascii')).toBe('00000004');
  });

  it('round-trips through its own parser with types, modes, data and device numbers', () => {
    const parsed = parseCpioNewc(writeCpioNewc(entries));
    expect(parsed.map((e) => e.path)).toEqual(entries.map((e) => e.path.replace(/^\//, '')));
    const byPath = new Map(parsed.map((e) => [e.path, e]));
    expect(byPath.get('bin')!.mode).toBe(CPIO_TYPE.dir | 0o755);
    expect(byPath.get('dev')!.mode).toBe(CPIO_TYPE.dir | 0o700);
    expect(byPath.get('dev/console')).toMatchObject({ mode: CPIO_TYPE.chardev | 0o600, rdevMajor: 5, rdevMinor: 1 });
    expect(byPath.get('bin/busybox')!.mode).toBe(CPIO_TYPE.file | 0o755);
    expect(byPath.get('bin/busybox')!.data.toString('latin1')).toBe('\x7fELF fake binary');
    expect(byPath.get('bin/sh')!.mode).toBe(CPIO_TYPE.symlink | 0o777);
    expect(byPath.get('bin/sh')!.data.toString()).toBe('busybox');
    expect(byPath.get('empty')!.data.length).toBe(0);
    expect(byPath.get('abc')!.data.toString()).toBe('123');
    expect(byPath.get('abcd')!.mode).toBe(CPIO_TYPE.file | 0o644);
  });

  it('is deterministic', () => {
    expect(writeCpioNewc(entries).equals(writeCpioNewc(entries))).toBe(true);
  });

  it('rejects bad paths and duplicates with the offending path in the message', () => {
    expect(() => writeCpioNewc([{ kind: 'dir', path: '' }])).toThrow(/invalid entry path ""/);
    expect(() => writeCpioNewc([{ kind: 'dir', path: 'a/../b' }])).toThrow(/invalid entry path "a\/\.\.\/b"/);
    expect(() =>
      writeCpioNewc([
        { kind: 'dir', path: 'x' },
        { kind: 'dir', path: '/x' },
      ]),
    ).toThrow(/duplicate entry path "\/x"/);
  });

  it('parser rejects truncated and foreign archives', () => {
    const archive = writeCpioNewc(entries);
    expect(() => parseCpioNewc(archive.subarray(0, 200))).toThrow(/cpio:/);
    expect(() => parseCpioNewc(Buffer.from('070707' + '0'.repeat(200)))).toThrow(/bad magic "070707"/);
  });

  it.skipIf(!hasCpio())('is read by the system cpio (list and extract)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootgate-cpio-'));
    try {
      // device nodes need root to extract: leave them out of the extraction check
      const archive = writeCpioNewc(entries.filter((e) => e.kind !== 'chardev'));
      const file = join(dir, 'test.cpio');
      writeFileSync(file, archive);
      const listing = execFileSync('cpio', ['-t', '--quiet', '-F', file], { encoding: 'utf8' }).trim().split('\n');
      expect(listing).toEqual(entries.filter((e) => e.kind !== 'chardev').map((e) => e.path.replace(/^\//, '')));
      const out = join(dir, 'out');
      mkdirSync(out);
      execFileSync('cpio', ['-i', '--quiet', '-d', '-F', file], { cwd: out });
      expect(readFileSync(join(out, 'init'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
      expect(statSync(join(out, 'bin/busybox')).mode & 0o777).toBe(0o755);
      expect(readlinkSync(join(out, 'bin/sh'))).toBe('busybox');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
