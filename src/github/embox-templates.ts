// Embox templates as the PR-subject selection sees them: which template a changed path belongs to,
// what its build.conf says, and whether (and how) QEMU can boot it. Pure: no I/O.

/** `templates/<arch>/<name>/…` → `<arch>/<name>`; null for any other path. */
export function templateOfPath(file: string): string | null {
  const m = /^templates\/([^/]+)\/([^/]+)\/./.exec(file);
  return m ? `${m[1]}/${m[2]}` : null;
}

export interface BuildConf {
  arch: string | null;
  platform: string | null;
  /** CFLAGS and LDFLAGS, every assignment concatenated (conditionals are not evaluated) */
  flags: string;
}

/**
 * The few build.conf variables that say what machine a template targets. build.conf is a Makefile
 * fragment: `ARCH = x86`, `CFLAGS += …`, `//` comments, `ifeq` blocks (not evaluated: both branches'
 * flags are kept, which only matters for telling riscv32 from riscv64).
 */
export function parseBuildConf(text: string): BuildConf {
  let arch: string | null = null;
  let platform: string | null = null;
  const flags: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/(^|\s)(\/\/|#).*$/, '').trim();
    const m = /^([A-Z_]+)\s*(\+?=|:=|\?=)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, , value] = m as unknown as [string, string, string, string];
    if (key === 'ARCH') arch = value.trim() || null;
    else if (key === 'PLATFORM') platform = value.trim() || null;
    else if (key === 'CFLAGS' || key === 'LDFLAGS') flags.push(value.trim());
  }
  return { arch, platform, flags: flags.join(' ') };
}

export interface QemuTarget {
  qemu: string;
  machine?: string;
  args?: string[];
}

/** The QEMU machines bootgate boots Embox templates on (the ones Embox's own scripts/qemu/auto_qemu uses). */
const ARM_MACHINES: Record<string, string> = { integratorcp: 'integratorcp', 'vexpress-a9': 'vexpress-a9' };

export const SUPPORTED_TARGETS_TEXT = 'x86, arm (integratorcp, vexpress-a9), riscv32/riscv64 (virt), aarch64 (virt)';

/** How to boot a template under QEMU, or why bootgate cannot. */
export function qemuForBuildConf(conf: BuildConf): { target: QemuTarget } | { reason: string } {
  const arch = conf.arch;
  if (!arch) return { reason: 'its build.conf sets no ARCH' };
  switch (arch) {
    case 'x86':
      return { target: { qemu: 'qemu-system-i386' } };
    case 'arm': {
      const machine = conf.platform ? ARM_MACHINES[conf.platform] : undefined;
      if (!machine) {
        return { reason: `ARCH arm with PLATFORM ${conf.platform ?? '(none)'} is a board QEMU does not emulate here; bootgate boots arm on ${Object.keys(ARM_MACHINES).join(', ')}` };
      }
      return { target: { qemu: 'qemu-system-arm', machine } };
    }
    case 'aarch64':
      return { target: { qemu: 'qemu-system-aarch64', machine: 'virt,gic_version=3', args: ['-cpu', 'cortex-a53'] } };
    case 'riscv': {
      if (conf.platform !== 'virt') {
        return { reason: `ARCH riscv with PLATFORM ${conf.platform ?? '(none)'}: bootgate boots riscv on the QEMU "virt" machine only` };
      }
      const is64 = /-march=rv64|elf64lriscv|-mabi=lp64/.test(conf.flags);
      return { target: { qemu: is64 ? 'qemu-system-riscv64' : 'qemu-system-riscv32', machine: 'virt' } };
    }
    default:
      return { reason: `ARCH ${arch} is not one bootgate boots under QEMU (${SUPPORTED_TARGETS_TEXT})` };
  }
}
