// The template's CROSS_COMPILE: found, mapped to the Debian toolchain of its ARCH, or a clear error
// naming the package. Uses the cross compilers CI installs (gcc-aarch64-linux-gnu, gcc-arm-none-eabi).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { archAndCrossCompile, resolveCrossCompiler } from '../../src/build/embox/cross-compiler.js';
import { debianPackagesFor, emboxTarget } from '../../src/build/embox/arch.js';

const dirs: string[] = [];
const tmp = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'bootgate-cross-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('cross compilers for Embox templates', () => {
  it('reads ARCH and CROSS_COMPILE from a build.conf, comments and alternatives ignored', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'build.conf');
    await writeFile(
      file,
      'TARGET = embox\n\nARCH = aarch64\n\nCROSS_COMPILE = aarch64-elf-\n// CROSS_COMPILE = aarch64-none-elf-\n',
    );
    expect(await archAndCrossCompile(file)).toEqual({ arch: 'aarch64', crossCompile: 'aarch64-elf-' });
    await writeFile(file, 'ARCH = x86\nCFLAGS += -O2\n');
    expect(await archAndCrossCompile(file)).toEqual({ arch: 'x86', crossCompile: '' });
  });

  it('uses an installed CROSS_COMPILE as is', async () => {
    const choice = await resolveCrossCompiler({
      template: 'arm/qemu',
      arch: 'arm',
      crossCompile: 'arm-none-eabi-',
      shimRoot: await tmp(),
    });
    expect(choice.used).toBe('arm-none-eabi-');
    expect(choice.pathDir).toBeUndefined();
    expect(choice.note).toMatch(/^cross compiler arm-none-eabi-gcc \(/);
  });

  it("maps aarch64-elf- to Debian's aarch64-linux-gnu- under the template's name, and says so", async () => {
    const shimRoot = await tmp();
    const choice = await resolveCrossCompiler({
      template: 'aarch64/qemu',
      arch: 'aarch64',
      crossCompile: 'aarch64-elf-',
      shimRoot,
    });
    expect(choice.used).toBe('aarch64-linux-gnu-');
    expect(choice.note).toContain(
      "CROSS_COMPILE aarch64-elf- (template aarch64/qemu) is not installed; using Debian's aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu",
    );
    const shimmed = await execa(path.join(choice.pathDir!, 'aarch64-elf-gcc'), ['-dumpmachine']);
    expect(shimmed.stdout.trim()).toBe('aarch64-linux-gnu');
    const objcopy = await execa(path.join(choice.pathDir!, 'aarch64-elf-objcopy'), ['--version']);
    expect(objcopy.exitCode).toBe(0);
    // a second build reuses the folder
    expect(
      (
        await resolveCrossCompiler({
          template: 'aarch64/qemu',
          arch: 'aarch64',
          crossCompile: 'aarch64-elf-',
          shimRoot,
        })
      ).pathDir,
    ).toBe(choice.pathDir);
  });

  it('a missing compiler names the package to install', async () => {
    const saved = process.env.PATH;
    process.env.PATH = await tmp(); // nothing installed
    try {
      await expect(
        resolveCrossCompiler({
          template: 'riscv64/qemu',
          arch: 'riscv',
          crossCompile: 'riscv64-unknown-elf-',
          shimRoot: await tmp(),
        }),
      ).rejects.toThrow(
        'Embox template riscv64/qemu needs the cross compiler riscv64-unknown-elf-gcc (CROSS_COMPILE = riscv64-unknown-elf- in its build.conf), which is not on PATH; install it: apt-get install gcc-riscv64-unknown-elf',
      );
      await expect(
        resolveCrossCompiler({
          template: 'aarch64/qemu',
          arch: 'aarch64',
          crossCompile: 'aarch64-elf-',
          shimRoot: await tmp(),
        }),
      ).rejects.toThrow(
        /install gcc-aarch64-linux-gnu \(apt-get install gcc-aarch64-linux-gnu\); bootgate then uses its aarch64-linux-gnu-gcc under the name aarch64-elf-gcc/,
      );
      await expect(
        resolveCrossCompiler({
          template: 'sparc/qemu',
          arch: 'sparc',
          crossCompile: 'sparc-elf-',
          shimRoot: await tmp(),
        }),
      ).rejects.toThrow(/no Debian package is known for ARCH sparc/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('the architecture table gives the apt packages per arch and the QEMU target', () => {
    expect(debianPackagesFor('arm')).toEqual(['qemu-system-arm', 'gcc-arm-none-eabi']);
    expect(debianPackagesFor('aarch64')).toEqual(['qemu-system-arm', 'gcc-aarch64-linux-gnu']);
    expect(debianPackagesFor('riscv')).toEqual(['qemu-system-misc', 'gcc-riscv64-unknown-elf']);
    expect(debianPackagesFor('x86')).toEqual(['qemu-system-x86', 'gcc-multilib']);
    expect(emboxTarget({ arch: 'riscv', platform: 'virt', bits: 32, littleEndian: true })).toEqual({
      target: { qemu: 'qemu-system-riscv32', qemuPackage: 'qemu-system-misc', machine: 'virt', loader: 'bios' },
    });
  });
});

describe('bootgate packages', () => {
  it('lists QEMU and the cross compiler per configured subject, guessing ARCH from the template name without a checkout', async () => {
    const { packagesFor } = await import('../../src/engine/packages.js');
    const embox = (
      template: string,
    ): { name: string; os: 'embox'; settings: { os: 'embox'; template: string; source: string } } => ({
      name: template,
      os: 'embox',
      settings: { os: 'embox', template, source: '/nonexistent/embox' },
    });
    expect(await packagesFor([embox('arm/qemu'), embox('riscv64/qemu')])).toEqual([
      'cpio',
      'gcc',
      'gcc-arm-none-eabi',
      'gcc-riscv64-unknown-elf',
      'make',
      'qemu-system-arm',
      'qemu-system-misc',
    ]);
    expect(
      await packagesFor([
        { name: 'k', os: 'custom', settings: { os: 'custom', kernel: '/k', qemu: 'qemu-system-aarch64' } },
      ]),
    ).toEqual(['qemu-system-arm']);
  });
});
