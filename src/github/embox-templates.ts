// Embox templates as the PR-subject selection sees them: which template a changed path belongs to,
// what its build.conf says, and whether (and how) QEMU can boot it. Pure: no I/O.
import { bitsFromFlags, EMBOX_ARCHES, emboxArch, emboxTarget } from '../build/embox/arch.js';

/** Top-level folders whose subfolders hold templates (mk/main.mk: TEMPLATES_DIR, PLATFORM_DIR, PROJECT_DIR). */
const TEMPLATE_ROOTS = ['templates/', 'platform/', 'project/'];

/**
 * A template folder's name as `make confload-<name>` takes it (mk/main.mk): templates/<path> is
 * <path> (any depth: x86/test/fs), platform/<path> is platform/<path> without "templates/"
 * (platform/stellaris/templates/lm3s811evb → platform/stellaris/lm3s811evb), and
 * project/<p>/templates/<t> is project/<p>/<t>. Null for a folder that cannot hold a template.
 */
export function templateNameOfFolder(folder: string): string | null {
  const f = folder.replace(/\/+$/, '');
  if (f.startsWith('templates/')) return f.length > 'templates/'.length ? f.slice('templates/'.length) : null;
  if (f.startsWith('platform/')) return f.split('/').length > 2 ? f.replace(/templates\//g, '') : null;
  const project = /^project\/([^/]+)\/templates\/([^/]+)$/.exec(f);
  return project ? `project/${project[1]}/${project[2]}` : null;
}

/** Template folders from a listing of the tree's files (the folders of every build.conf). */
export function templateFoldersOf(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    if (!p.endsWith('/build.conf')) continue;
    const folder = p.slice(0, -'/build.conf'.length);
    if (templateNameOfFolder(folder) !== null) out.add(folder);
  }
  return out;
}

/**
 * The template folder a changed path belongs to: the deepest folder above it that holds a
 * build.conf in `folders`. Without a match (a template removed, or no listing), the folder
 * `make confload` would have used for the usual layouts: templates/<a>/<b>,
 * platform/<p>/templates/<t>, project/<p>/templates/<t>. Null for a path outside templates.
 */
export function templateFolderOfPath(file: string, folders?: ReadonlySet<string>): string | null {
  if (!TEMPLATE_ROOTS.some((r) => file.startsWith(r))) return null;
  const parts = file.split('/');
  if (folders) {
    for (let n = parts.length - 1; n >= 2; n--) {
      const folder = parts.slice(0, n).join('/');
      if (folders.has(folder)) return folder;
    }
  }
  const fallback =
    /^(templates\/[^/]+\/[^/]+)\/./.exec(file) ??
    /^(platform\/[^/]+\/templates\/[^/]+)\/./.exec(file) ??
    /^(project\/[^/]+\/templates\/[^/]+)\/./.exec(file);
  return fallback ? fallback[1]! : null;
}

/** `templates/<arch>/<name>/…` → `<arch>/<name>` (and the other forms, see templateFolderOfPath); null for any other path. */
export function templateOfPath(file: string, folders?: ReadonlySet<string>): string | null {
  const folder = templateFolderOfPath(file, folders);
  return folder === null ? null : templateNameOfFolder(folder);
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
  cpu?: string;
  loader: 'kernel' | 'bios';
}

export const SUPPORTED_TARGETS_TEXT = EMBOX_ARCHES.filter((a) => a.compilers.length > 0)
  .map((a) => (a.machines ? `${a.arch} (${Object.keys(a.machines).join(', ')})` : a.arch))
  .join('; ');

/**
 * How to boot a template under QEMU (from the architecture table the build uses too), or why
 * bootgate cannot. Architectures without a known Debian cross compiler are not derived for a PR:
 * a subject of their own (with a compiler installed) still builds and boots them.
 */
export function qemuForBuildConf(conf: BuildConf): { target: QemuTarget } | { reason: string } {
  const found = emboxTarget({
    arch: conf.arch,
    platform: conf.platform,
    bits: bitsFromFlags(conf.flags),
    littleEndian: conf.arch !== 'mips' || /(^|\s)-EL\b/.test(conf.flags),
  });
  if ('reason' in found) return found;
  if (emboxArch(conf.arch!)!.compilers.length === 0) {
    return {
      reason: `ARCH ${conf.arch}: bootgate knows no Debian cross compiler for it, so it derives no subject for it (a subject of its own can still name the template); bootgate derives ${SUPPORTED_TARGETS_TEXT}`,
    };
  }
  const t = found.target;
  return {
    target: {
      qemu: t.qemu,
      ...(t.machine ? { machine: t.machine } : {}),
      ...(t.cpu ? { cpu: t.cpu } : {}),
      loader: t.loader,
    },
  };
}
