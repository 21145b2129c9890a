// The one table of Embox architectures bootgate boots: QEMU emulator and machine, loader, CPU and
// the Debian packages of their cross compilers and emulators. PR selection (github/embox-templates),
// the build (cross compiler lookup) and the boot (derive.ts → GuestSpec) all read it. Pure: no I/O.
// The machines and loaders follow Embox's own scripts/qemu/auto_qemu.

export type Loader = 'kernel' | 'bios';

export interface CrossCompiler {
  /** tool prefix, e.g. arm-none-eabi- ('' = the host's gcc) */
  prefix: string;
  /** Debian package that ships `<prefix>gcc` */
  debianPackage: string;
}

export interface EmboxArch {
  /** build.conf's ARCH */
  arch: string;
  /** the emulator for an image of this word size and byte order */
  qemu(bits: 32 | 64, littleEndian: boolean): string;
  /** the Debian package of that emulator */
  qemuPackage: string;
  /** PLATFORM → -machine; undefined: one machine for every platform (`machine`) */
  machines?: Readonly<Record<string, string>>;
  machine?: string;
  cpu?: string;
  /** how QEMU loads the ELF image, by PLATFORM */
  loader(platform: string | undefined): Loader;
  /** Debian cross compilers able to build this ARCH, preferred first */
  compilers: readonly CrossCompiler[];
  /** whether bootgate's CI covers the arch with a fixture kernel (loader, NIC, markers) */
  ciFixture: boolean;
}

const kernel = (): Loader => 'kernel';

export const EMBOX_ARCHES: readonly EmboxArch[] = [
  {
    arch: 'x86',
    qemu: () => 'qemu-system-i386',
    qemuPackage: 'qemu-system-x86',
    loader: kernel,
    compilers: [{ prefix: '', debianPackage: 'gcc-multilib' }],
    ciFixture: true,
  },
  {
    arch: 'arm',
    qemu: () => 'qemu-system-arm',
    qemuPackage: 'qemu-system-arm',
    machines: {
      overo: 'overo',
      'SECO-Q7-796': 'overo',
      integratorcp: 'integratorcp',
      'vexpress-a9': 'vexpress-a9',
      sabrelite: 'sabrelite',
      lm3s811evb: 'lm3s811evb',
      lm3s6965evb: 'lm3s6965evb',
      raspberry: 'raspi1ap',
      raspberry2: 'raspi2',
      netduinoplus2: 'netduinoplus2',
      stm32vl_discovery: 'stm32vldiscovery',
    },
    loader: kernel,
    compilers: [{ prefix: 'arm-none-eabi-', debianPackage: 'gcc-arm-none-eabi' }],
    ciFixture: true,
  },
  {
    arch: 'aarch64',
    qemu: () => 'qemu-system-aarch64',
    qemuPackage: 'qemu-system-arm',
    machine: 'virt,gic_version=3',
    cpu: 'cortex-a53',
    loader: kernel,
    // Debian has no bare-metal aarch64-elf- toolchain; the Linux one builds Embox (-nostdlib) as well
    compilers: [{ prefix: 'aarch64-linux-gnu-', debianPackage: 'gcc-aarch64-linux-gnu' }],
    ciFixture: true,
  },
  {
    arch: 'riscv',
    qemu: (bits) => `qemu-system-riscv${bits}`,
    qemuPackage: 'qemu-system-misc',
    machines: {
      virt: 'virt',
      sifive_e: 'sifive_e',
      sifive_u: 'sifive_u',
      syntacore_scr1: 'scr1',
      syntacore_scr3: 'scr3',
      syntacore_scr4: 'scr4',
      syntacore_scr5: 'scr5',
      esp32c3: 'esp32c3',
    },
    // auto_qemu: RISC-V images are the firmware (-bios), except on esp32c3
    loader: (platform) => (platform === 'esp32c3' ? 'kernel' : 'bios'),
    // one multilib toolchain for rv32 and rv64
    compilers: [{ prefix: 'riscv64-unknown-elf-', debianPackage: 'gcc-riscv64-unknown-elf' }],
    ciFixture: true,
  },
  {
    arch: 'mips',
    qemu: (bits, little) => `qemu-system-mips${bits === 64 ? '64' : ''}${little ? 'el' : ''}`,
    qemuPackage: 'qemu-system-mips',
    machines: { mipssim: 'mipssim', 'baikal-t': 'baikal-t' },
    loader: kernel,
    compilers: [],
    ciFixture: false,
  },
  {
    arch: 'sparc',
    qemu: () => 'qemu-system-sparc',
    qemuPackage: 'qemu-system-sparc',
    machine: 'leon3_generic',
    cpu: 'LEON3',
    loader: kernel,
    compilers: [],
    ciFixture: false,
  },
  {
    arch: 'microblaze',
    qemu: () => 'qemu-system-microblaze',
    qemuPackage: 'qemu-system-misc',
    machine: 'petalogix-s3adsp1800',
    loader: kernel,
    compilers: [],
    ciFixture: false,
  },
  {
    arch: 'ppc',
    qemu: () => 'qemu-system-ppc',
    qemuPackage: 'qemu-system-ppc',
    machine: 'virtex-ml507',
    loader: kernel,
    compilers: [],
    ciFixture: false,
  },
];

export const SUPPORTED_EMBOX_ARCHES = EMBOX_ARCHES.map((a) => a.arch);

export function emboxArch(arch: string): EmboxArch | undefined {
  return EMBOX_ARCHES.find((a) => a.arch === arch);
}

/** Word size guessed from build.conf's compiler/linker flags (the image, once built, is the better source). */
export function bitsFromFlags(flags: string): 32 | 64 {
  return /\brv64|\blp64|elf64|\bmips64|-mabi=64\b|-m64\b/.test(flags) ? 64 : 32;
}

export interface EmboxTarget {
  qemu: string;
  qemuPackage: string;
  machine?: string;
  cpu?: string;
  loader: Loader;
}

export interface TargetQuery {
  arch: string | null | undefined;
  platform: string | null | undefined;
  bits: 32 | 64;
  littleEndian: boolean;
}

/** How QEMU boots an Embox image of this ARCH/PLATFORM, or why bootgate cannot. */
export function emboxTarget(q: TargetQuery): { target: EmboxTarget } | { reason: string } {
  if (!q.arch) return { reason: 'its build.conf sets no ARCH' };
  const a = emboxArch(q.arch);
  if (!a)
    return {
      reason: `ARCH ${q.arch} is not one bootgate can boot under QEMU; expected one of ${SUPPORTED_EMBOX_ARCHES.join(', ')}`,
    };
  let machine = a.machine;
  if (a.machines) {
    machine = q.platform ? a.machines[q.platform] : undefined;
    if (!machine) {
      return {
        reason:
          `ARCH ${q.arch} with PLATFORM ${q.platform ?? '(none)'}: no QEMU machine known for it; ` +
          `expected PLATFORM to be one of ${Object.keys(a.machines).join(', ')} (or set "machine" and "qemu" yourself)`,
      };
    }
  }
  const platform = q.platform ?? undefined;
  return {
    target: {
      qemu: a.qemu(q.bits, q.littleEndian),
      qemuPackage: a.qemuPackage,
      ...(machine ? { machine } : {}),
      ...(a.cpu ? { cpu: a.cpu } : {}),
      loader: a.loader(platform),
    },
  };
}

/**
 * Debian packages a template of this ARCH needs to build and boot: the emulator and the first
 * cross compiler (x86: the host gcc with 32-bit support).
 */
export function debianPackagesFor(arch: string): string[] {
  const a = emboxArch(arch);
  if (!a) return [];
  return [a.qemuPackage, ...(a.compilers[0] ? [a.compilers[0].debianPackage] : [])];
}
