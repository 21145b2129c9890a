import { describe, expect, it } from 'vitest';
import { buildRrArgs, GCC14_DEMOTED_ERRORS, parseGccMajor, rumprunBuildEnv } from '../../src/build/rumprun/flags.js';

describe('parseGccMajor', () => {
  it.each([
    ['gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.', 12],
    ['gcc (Ubuntu 13.2.0-23ubuntu4) 13.2.0', 13],
    ['gcc-14 (Ubuntu 14.2.0-4ubuntu2~24.04) 14.2.0', 14],
    ['cc (GCC) 14.1.1 20240522 (Red Hat 14.1.1-5)', 14],
    ['x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0', 12],
    ['12\n', 12],
    ['14.2.0', 14],
  ])('reads %j as %i', (text, major) => {
    expect(parseGccMajor(text)).toBe(major);
  });

  it('refuses clang, which build-rr.sh does not support', () => {
    expect(() => parseGccMajor('Apple clang version 15.0.0 (clang-1500.3.9.4)')).toThrow(/clang.*needs gcc/);
  });

  it('says what it expected when there is no version', () => {
    expect(() => parseGccMajor('command not found')).toThrow(/could not find a gcc version in "command not found"/);
  });
});

describe('rumprunBuildEnv', () => {
  it('gives gcc 12 -fcommon for host tools and target, NOGCCERROR, and no demoted errors', () => {
    const flags = rumprunBuildEnv(12);
    expect(flags.env).toEqual({ HOST_CFLAGS: '-O -fcommon', NOGCCERROR: '1' });
    expect(flags.buildrumpArgs).toEqual(['-F', 'CFLAGS=-fcommon']);
  });

  it('demotes the three gcc 14 errors for host tools and target from gcc 14 on', () => {
    for (const major of [14, 15]) {
      const flags = rumprunBuildEnv(major);
      expect(flags.env.HOST_CFLAGS).toBe(['-O', '-fcommon', ...GCC14_DEMOTED_ERRORS].join(' '));
      expect(flags.targetCflags).toEqual(['-fcommon', ...GCC14_DEMOTED_ERRORS]);
      expect(flags.buildrumpArgs).toEqual([
        '-F',
        'CFLAGS=-fcommon',
        '-F',
        'CFLAGS=-Wno-error=implicit-function-declaration',
        '-F',
        'CFLAGS=-Wno-error=int-conversion',
        '-F',
        'CFLAGS=-Wno-error=incompatible-pointer-types',
      ]);
    }
    expect(rumprunBuildEnv(13).targetCflags).toEqual(['-fcommon']);
  });

  it('applies overrides', () => {
    const flags = rumprunBuildEnv(12, { hostCflags: ['-O2'], extraCflags: ['-g'], noGccError: false });
    expect(flags.env).toEqual({ HOST_CFLAGS: '-O2' });
    expect(flags.buildrumpArgs).toEqual(['-F', 'CFLAGS=-fcommon', '-F', 'CFLAGS=-g']);
  });

  it('rejects a version that is not a positive integer', () => {
    expect(() => rumprunBuildEnv(Number.NaN)).toThrow(/positive integer/);
  });
});

describe('buildRrArgs', () => {
  it('puts options before the platform and buildrump.sh flags after --', () => {
    expect(buildRrArgs(rumprunBuildEnv(12), { jobs: 2, destDir: '/cache/rumprun' })).toEqual([
      '-j',
      '2',
      '-d',
      '/cache/rumprun',
      'hw',
      '--',
      '-F',
      'CFLAGS=-fcommon',
    ]);
    expect(buildRrArgs(rumprunBuildEnv(12))).toEqual(['hw', '--', '-F', 'CFLAGS=-fcommon']);
  });

  it('rejects a bad job count', () => {
    expect(() => buildRrArgs(rumprunBuildEnv(12), { jobs: 0 })).toThrow(/jobs: expected a positive integer, got 0/);
  });
});
