// `bootgate packages`: the Debian packages the configured subjects need to build and boot, from the
// architecture table (scripts/setup.sh installs them; docs/action.md shows the apt line per arch).
import path from 'node:path';
import type { Subject } from '../config/subjects.js';
import { debianPackagesFor, SUPPORTED_EMBOX_ARCHES } from '../build/embox/arch.js';
import { resolveEmboxTemplate } from '../build/embox/checkout.js';
import { archAndCrossCompile } from '../build/embox/cross-compiler.js';
import { DEFAULT_EMBOX_TEMPLATE } from '../build/embox/index.js';

/** Embox builds need these on every ARCH (make, the host gcc for its build tools, cpio for the rootfs). */
const EMBOX_BUILD_PACKAGES = ['make', 'gcc', 'cpio'];

/** QEMU binary → Debian package. */
export function qemuPackage(qemu: string): string | null {
  const name = path.basename(qemu);
  if (/^qemu-system-(i386|x86_64)$/.test(name)) return 'qemu-system-x86';
  if (/^qemu-system-(arm|aarch64)$/.test(name)) return 'qemu-system-arm';
  if (/^qemu-system-(mips|mipsel|mips64|mips64el)$/.test(name)) return 'qemu-system-mips';
  if (/^qemu-system-(ppc|ppc64)$/.test(name)) return 'qemu-system-ppc';
  if (/^qemu-system-(sparc|sparc64)$/.test(name)) return 'qemu-system-sparc';
  if (/^qemu-system-/.test(name)) return 'qemu-system-misc';
  return null;
}

/** The template's ARCH: from its build.conf when the checkout is there, else from its name (riscv64/… is riscv). */
async function templateArch(source: string | undefined, template: string): Promise<string | undefined> {
  if (source) {
    try {
      return (await archAndCrossCompile(path.join(await resolveEmboxTemplate(source, template), 'build.conf'))).arch;
    } catch {
      // no checkout yet (the action checks it out later): guess from the name
    }
  }
  const first = template.split('/')[0]!.replace(/^riscv(32|64)$/, 'riscv');
  return (SUPPORTED_EMBOX_ARCHES as readonly string[]).includes(first) ? first : undefined;
}

export async function packagesFor(subjects: readonly Subject[]): Promise<string[]> {
  const out = new Set<string>();
  for (const s of subjects) {
    if (s.settings.qemu) {
      const q = qemuPackage(s.settings.qemu);
      if (q) out.add(q);
    }
    if (s.os !== 'embox') {
      if (!s.settings.qemu) out.add('qemu-system-x86');
      continue;
    }
    for (const p of EMBOX_BUILD_PACKAGES) out.add(p);
    const arch = await templateArch(s.settings.source, s.settings.template ?? DEFAULT_EMBOX_TEMPLATE);
    for (const p of arch ? debianPackagesFor(arch) : []) out.add(p);
  }
  return [...out].sort();
}
