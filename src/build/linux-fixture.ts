/**
 * Builds the Linux CI fixture: a distribution kernel plus an initramfs whose /init starts
 * busybox httpd on virtio-net. Everything comes from the distribution's own packages fetched
 * with `apt-get download` and unpacked with `dpkg-deb -x` into bootgate's cache: nothing is
 * installed on the host. Debian (linux-image-amd64) and Ubuntu (linux-image-generic) work.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { execa } from 'execa';
import { bootgateCacheDir } from '../config/cache-dir.js';
import { type CpioEntry, writeCpioNewc } from './cpio.js';
import { fixtureSourceDir } from './multiboot-fixture.js';
import { isWholePvhElf } from '../elf/index.js';

export interface LinuxFixture {
  kernel: string;
  initrd: string;
  append: string;
  qemu: 'qemu-system-x86_64';
  memoryMb: number;
  startMarker: string;
  readyMarker: string;
  guestIp: string;
  guestPort: number;
  kernelVersion: string;
}

/** virtio-net and what it needs, in load order (each one's dependencies come before it). */
export const VIRTIO_NET_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_legacy_dev',
  'virtio_pci_modern_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
];

/** busybox applets the initramfs links to (all that /init uses, plus a few for debugging). */
const BUSYBOX_APPLETS = ['sh', 'mount', 'insmod', 'ip', 'httpd', 'echo', 'cat', 'sleep', 'ls', 'mkdir', 'dmesg', 'uname'];

const GUEST_IP = '10.0.2.15';
const GUEST_PORT = 80;
const MEMORY_MB = 256;
/**
 * earlycon prints from the first instant of the kernel, so the `Linux version` banner reaches the
 * host when the kernel starts rather than when the serial driver registers. loglevel=6 keeps
 * that banner (a notice) and drops the ~300 informational lines a default boot prints.
 * panic=-1 plus QEMU's -no-reboot: a panic (or /init failing) ends QEMU at once.
 * cryptomgr.notests skips the crypto self-tests (the slowest initcall under TCG, ≈200 ms) and
 * rodata=off the read-only remap and W+X page-table walk: measured QEMU start → HTTP 200
 * median 1.95 s instead of 2.34 s (5 interleaved boots each, Debian 12 kernel, QEMU 7.2).
 */
const APPEND =
  'console=ttyS0 earlycon=uart8250,io,0x3f8,115200 loglevel=6 panic=-1 rdinit=/init cryptomgr.notests rodata=off';
const INDEX_HTML = '<!doctype html>\n<title>bootgate</title>\n<p>bootgate Linux fixture: httpd is serving.</p>\n';

/** Kernel metapackages this builder knows, tried in order (Debian, then Ubuntu). */
const KERNEL_METAPACKAGES = [
  { meta: 'linux-image-amd64', distro: 'Debian' },
  { meta: 'linux-image-generic', distro: 'Ubuntu' },
];

async function run(
  file: string,
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; missing: boolean; stdout: string; output: string }> {
  const result = await execa(file, args, { reject: false, all: true, cwd, env: { LC_ALL: 'C' } });
  return {
    ok: !result.failed,
    missing: result.code === 'ENOENT',
    stdout: result.stdout,
    output: (result.all ?? '').trim() || (result.message ?? ''),
  };
}

/** The versioned kernel package the distribution's metapackage points at, e.g. linux-image-6.1.0-56-amd64. */
async function findKernelPackage(): Promise<{ pkg: string; abi: string; distro: string }> {
  const tried: string[] = [];
  for (const { meta, distro } of KERNEL_METAPACKAGES) {
    const result = await run('apt-cache', ['depends', meta]);
    if (result.missing) {
      throw new Error('linux fixture: apt-cache is not installed; this fixture needs a Debian or Ubuntu host (apt, dpkg-deb)');
    }
    if (!result.ok) {
      tried.push(`${meta}: ${result.output.split('\n')[0]}`);
      continue;
    }
    const match = /^\s*\|?Depends:\s*(linux-image-(?:unsigned-)?(\d\S*))\s*$/m.exec(result.stdout);
    if (match?.[1] && match[2]) return { pkg: match[1], abi: match[2], distro };
    tried.push(`${meta}: no "Depends: linux-image-<version>" line`);
  }
  throw new Error(
    `linux fixture: cannot find the distribution kernel package (tried ${tried.join('; ')}). ` +
      'Run `apt-get update` first; only Debian (linux-image-amd64) and Ubuntu (linux-image-generic) are supported.',
  );
}

/** Candidate versions of packages (one `apt-cache show` call: each call re-reads the lists, ≈0.7 s). */
async function packageVersions(pkgs: string[]): Promise<Map<string, string>> {
  // Exits non-zero when one name is unknown but still prints the others.
  const result = await run('apt-cache', ['show', '--no-all-versions', ...pkgs]);
  const versions = new Map<string, string>();
  for (const stanza of result.stdout.split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const version = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (name && version && !versions.has(name)) versions.set(name, version);
  }
  return versions;
}

interface ResolvedPackages {
  pkg: string;
  abi: string;
  version: string;
  /** Ubuntu's separate modules package, null on Debian (modules are in the image package) */
  modulesPkg: { name: string; version: string } | null;
  busyboxVersion: string;
}

const APT_LISTS = '/var/lib/apt/lists';

/** Identity of the apt package lists: changes whenever `apt-get update` changes them. */
async function aptListsKey(): Promise<string | null> {
  try {
    const names = (await readdir(APT_LISTS)).filter((name) => name.includes('Packages')).sort();
    if (names.length === 0) return null;
    const hash = createHash('sha256');
    for (const name of names) {
      const info = await stat(join(APT_LISTS, name));
      hash.update(`${name}:${info.size}:${info.mtimeMs}\n`);
    }
    return hash.digest('hex');
  } catch {
    return null;
  }
}

/**
 * Which packages (and versions) make the fixture. Remembered in <cacheRoot>/packages.json
 * until the apt lists change, so a cached fixture costs no apt-cache call (≈2 s otherwise).
 */
async function resolvePackages(cacheRoot: string): Promise<ResolvedPackages> {
  const stampFile = join(cacheRoot, 'packages.json');
  const listsKey = await aptListsKey();
  if (listsKey && existsSync(stampFile)) {
    try {
      const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { listsKey?: string; packages?: ResolvedPackages };
      if (stamp.listsKey === listsKey && stamp.packages?.pkg && stamp.packages.version) return stamp.packages;
    } catch {
      // unreadable stamp: resolve again
    }
  }
  const { pkg, abi, distro } = await findKernelPackage();
  const modulesPkg = distro === 'Ubuntu' ? `linux-modules-${abi}` : null;
  const versions = await packageVersions([pkg, 'busybox-static', ...(modulesPkg ? [modulesPkg] : [])]);
  const version = versions.get(pkg);
  if (!version) {
    throw new Error(`linux fixture: \`apt-cache show ${pkg}\` gives no version; run \`apt-get update\` and retry`);
  }
  const busyboxVersion = versions.get('busybox-static');
  if (!busyboxVersion) {
    throw new Error('linux fixture: package busybox-static is unknown to apt; run `apt-get update` and retry');
  }
  const packages: ResolvedPackages = {
    pkg,
    abi,
    version,
    modulesPkg: modulesPkg && versions.has(modulesPkg) ? { name: modulesPkg, version: versions.get(modulesPkg)! } : null,
    busyboxVersion,
  };
  if (listsKey) {
    await mkdir(cacheRoot, { recursive: true });
    await writeAtomically(stampFile, Buffer.from(JSON.stringify({ listsKey, packages }, null, 2)));
  }
  return packages;
}

/** `apt-get download` into dir (no root needed, nothing installed); returns the .deb path. */
async function downloadPackage(pkg: string, version: string, dir: string): Promise<string> {
  // apt names the file <package>_<version, ':' as %3a>_<arch>.deb
  const prefix = `${pkg}_${version.replace(/:/g, '%3a')}_`;
  const existing = (await readdir(dir)).find((name) => name.startsWith(prefix) && name.endsWith('.deb'));
  if (existing) return join(dir, existing);
  const temp = join(dir, `download-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  try {
    const result = await run('apt-get', ['download', `${pkg}=${version}`], temp);
    const deb = (await readdir(temp)).find((name) => name.endsWith('.deb'));
    if (!result.ok || !deb) {
      throw new Error(
        `linux fixture: \`apt-get download ${pkg}=${version}\` failed: ${result.output}\n` +
          'Hint: the package lists may be missing or stale; run `apt-get update` (as root) and retry.',
      );
    }
    await rename(join(temp, deb), join(dir, deb));
    return join(dir, deb);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function extractDeb(deb: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  const result = await run('dpkg-deb', ['-x', deb, into]);
  if (!result.ok) throw new Error(`linux fixture: \`dpkg-deb -x ${deb}\` failed: ${result.output}`);
}

// ---- vmlinuz → vmlinux (what the kernel's scripts/extract-vmlinux does) ----

const COMPRESSIONS = [
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), cmd: 'xz', args: ['-dc', '--single-stream'] },
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), cmd: 'zstd', args: ['-dc'] },
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b, 0x08]), cmd: 'gzip', args: ['-dc'] },
];

/** Offsets of every occurrence of magic in buf. */
function findAll(buf: Buffer, magic: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = buf.indexOf(magic); at !== -1; at = buf.indexOf(magic, at + 1)) offsets.push(at);
  return offsets;
}

/**
 * Decompresses the kernel inside a bzImage into `out`: tries each compression magic found in
 * the image, from the first offset whose output is a whole ELF with a PVH note (QEMU boots
 * that directly, ≈3 s faster under TCG than running the decompressor). Returns false when
 * no such ELF comes out (the caller then boots the bzImage itself).
 */
async function extractVmlinux(vmlinuz: string, out: string): Promise<boolean> {
  const image = await readFile(vmlinuz);
  const candidates = COMPRESSIONS.flatMap((c) => findAll(image, c.magic).map((offset) => ({ ...c, offset })))
    .sort((a, b) => a.offset - b.offset)
    .slice(0, 20);
  for (const candidate of candidates) {
    const temp = `${out}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      // Trailing data after the compressed stream makes gzip and zstd exit non-zero after a
      // complete output: judge the output, not the exit code.
      const result = await execa(candidate.cmd, candidate.args, {
        input: image.subarray(candidate.offset),
        stdout: { file: temp },
        reject: false,
      });
      if (result.code === 'ENOENT') continue;
      if (!existsSync(temp) || (await stat(temp)).size < 1024 * 1024) continue;
      if (isWholePvhElf(await readFile(temp))) {
        await rename(temp, out);
        return true;
      }
    } finally {
      await rm(temp, { force: true });
    }
  }
  return false;
}

// ---- kernel modules ----

function moduleName(file: string): string {
  return basename(file).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

async function walkFiles(dir: string, into: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walkFiles(path, into);
    else if (/\.ko(\.(xz|zst|gz))?$/.test(entry.name)) into.push(path);
  }
  return into;
}

/** The kernel's module folder in an extracted package tree (Ubuntu 24.04+ uses usr/lib/modules). */
function modulesDir(root: string, abi: string): string | null {
  for (const candidate of [join(root, 'lib', 'modules', abi), join(root, 'usr', 'lib', 'modules', abi)]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

async function readModule(path: string): Promise<Buffer> {
  const tool = path.endsWith('.xz') ? 'xz' : path.endsWith('.zst') ? 'zstd' : path.endsWith('.gz') ? 'gzip' : null;
  if (!tool) return readFile(path);
  const result = await execa(tool, ['-dc', path], { encoding: 'buffer', reject: false });
  if (result.failed) throw new Error(`linux fixture: cannot decompress module ${path} with ${tool}: ${result.message}`);
  return Buffer.from(result.stdout);
}

/** The `depends=` entry of a module's .modinfo section (comma-separated names, may be empty). */
function moduleDepends(ko: Buffer): string[] {
  const key = Buffer.from('\0depends=');
  const at = ko.indexOf(key);
  if (at === -1) return [];
  const start = at + key.length;
  const end = ko.indexOf(0, start);
  return ko
    .toString('latin1', start, end === -1 ? start : end)
    .split(',')
    .filter(Boolean)
    .map((name) => name.replace(/-/g, '_'));
}

interface ResolvedModule {
  name: string;
  data: Buffer;
}

/**
 * The .ko files to insmod for virtio-net, in load order: the fixed list, minus what this kernel
 * has built in, plus (before their users) any dependency a module declares that the list lacks.
 */
async function resolveModules(moduleRoots: string[], abi: string): Promise<ResolvedModule[]> {
  const builtin = new Set<string>();
  const files = new Map<string, string>();
  for (const root of moduleRoots) {
    const dir = modulesDir(root, abi);
    if (!dir) continue;
    const builtinList = join(dir, 'modules.builtin');
    if (existsSync(builtinList)) {
      for (const line of (await readFile(builtinList, 'utf8')).split('\n')) if (line.trim()) builtin.add(moduleName(line.trim()));
    }
    if (existsSync(join(dir, 'kernel'))) for (const file of await walkFiles(join(dir, 'kernel'))) files.set(moduleName(file), file);
  }
  if (files.size === 0 && builtin.size === 0) {
    throw new Error(`linux fixture: no modules for kernel ${abi} in the extracted packages (looked for lib/modules/${abi})`);
  }
  const ordered: ResolvedModule[] = [];
  const done = new Set<string>();
  const visit = async (name: string, chain: string[]): Promise<void> => {
    if (done.has(name) || builtin.has(name)) return;
    if (chain.includes(name)) throw new Error(`linux fixture: module dependency cycle ${[...chain, name].join(' -> ')}`);
    const file = files.get(name);
    if (!file) {
      throw new Error(
        `linux fixture: kernel ${abi} has module ${name} neither built in (modules.builtin) nor as a .ko file` +
          (chain.length ? ` (needed by ${chain.join(' -> ')})` : ''),
      );
    }
    const data = await readModule(file);
    for (const dep of moduleDepends(data)) await visit(dep, [...chain, name]);
    done.add(name);
    ordered.push({ name, data });
  };
  for (const name of VIRTIO_NET_MODULES) await visit(name, []);
  return ordered;
}

// ---- initramfs ----

function findBusybox(root: string): string {
  for (const candidate of ['bin/busybox', 'usr/bin/busybox']) {
    if (existsSync(join(root, candidate))) return join(root, candidate);
  }
  throw new Error(`linux fixture: busybox-static did not contain bin/busybox or usr/bin/busybox (extracted in ${root})`);
}

function initramfsEntries(init: Buffer, busybox: Buffer, modules: ResolvedModule[]): CpioEntry[] {
  const entries: CpioEntry[] = [];
  for (const dir of ['bin', 'dev', 'etc', 'lib', 'lib/modules', 'proc', 'root', 'sys', 'tmp', 'www']) {
    entries.push({ kind: 'dir', path: dir, mode: dir === 'tmp' ? 0o1777 : 0o755 });
  }
  // The kernel opens /dev/console for init's stdio before /init can mount devtmpfs.
  entries.push({ kind: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  entries.push({ kind: 'chardev', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });
  entries.push({ kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 });
  for (const applet of BUSYBOX_APPLETS) entries.push({ kind: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  entries.push({ kind: 'file', path: 'init', data: init, mode: 0o755 });
  for (const module of modules) entries.push({ kind: 'file', path: `lib/modules/${module.name}.ko`, data: module.data });
  entries.push({
    kind: 'file',
    path: 'etc/bootgate-modules',
    data: Buffer.from(modules.map((m) => `${m.name}.ko\n`).join('')),
  });
  entries.push({ kind: 'file', path: 'www/index.html', data: Buffer.from(INDEX_HTML) });
  return entries;
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/** Temp folders of builders killed mid-way (an extraction is ≈400 MB): gone after an hour. */
async function removeStaleTemps(dirs: string[]): Promise<void> {
  const cutoff = Date.now() - 3600_000;
  for (const dir of dirs) {
    for (const name of await readdir(dir)) {
      if (!/^(extract|download)-\d+-[0-9a-f]+$|\.tmp-\d+-[0-9a-f]+$/.test(name)) continue;
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
    }
  }
}

function safeDirName(text: string): string {
  return text.replace(/[^A-Za-z0-9._+-]/g, '_');
}

/**
 * Downloads (once) the distribution kernel and busybox-static, and builds (once per input)
 * vmlinux and an initramfs serving HTTP on port 80 of 10.0.2.15 (QEMU user networking's
 * default guest address). Cached in <cacheDir>/linux/<kernel package>_<version>/.
 */
export async function buildLinuxFixture(opts: { cacheDir?: string } = {}): Promise<LinuxFixture> {
  const cacheRoot = join(resolve(opts.cacheDir ?? bootgateCacheDir()), 'linux');
  const { pkg, abi, version, modulesPkg, busyboxVersion } = await resolvePackages(cacheRoot);
  const dir = join(cacheRoot, safeDirName(`${pkg}_${version}`));
  const debDir = join(dir, 'debs');
  await mkdir(debDir, { recursive: true });
  await removeStaleTemps([dir, debDir]);

  const init = await readFile(join(fixtureSourceDir(), 'linux', 'init'));
  const initrdKey = createHash('sha256')
    .update(init)
    .update(`\0${busyboxVersion}\0${VIRTIO_NET_MODULES.join(',')}\0${BUSYBOX_APPLETS.join(',')}\0${INDEX_HTML}`)
    .digest('hex')
    .slice(0, 16);
  const initrd = join(dir, `initrd-${initrdKey}.cpio`);
  const vmlinux = join(dir, 'vmlinux');
  const bzImage = join(dir, 'vmlinuz');
  const fixture = (kernel: string): LinuxFixture => ({
    kernel,
    initrd,
    append: APPEND,
    qemu: 'qemu-system-x86_64',
    memoryMb: MEMORY_MB,
    startMarker: 'Linux version',
    readyMarker: 'bootgate-linux: httpd started',
    guestIp: GUEST_IP,
    guestPort: GUEST_PORT,
    kernelVersion: abi,
  });
  const builtKernel = existsSync(vmlinux) ? vmlinux : existsSync(bzImage) ? bzImage : null;
  if (builtKernel && existsSync(initrd)) return fixture(builtKernel);

  // Ubuntu ships the modules in a separate package; Debian has them in the image package.
  const debs = [await downloadPackage(pkg, version, debDir)];
  if (modulesPkg) debs.push(await downloadPackage(modulesPkg.name, modulesPkg.version, debDir));
  const busyboxDeb = await downloadPackage('busybox-static', busyboxVersion, debDir);

  const work = join(dir, `extract-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const roots = debs.map((_, i) => join(work, `kernel-${i}`));
    for (const [i, deb] of debs.entries()) await extractDeb(deb, roots[i]!);
    await extractDeb(busyboxDeb, join(work, 'busybox'));

    let kernel = builtKernel;
    if (!kernel) {
      const vmlinuz = roots.map((root) => join(root, 'boot', `vmlinuz-${abi}`)).find((path) => existsSync(path));
      if (!vmlinuz) throw new Error(`linux fixture: ${pkg} contains no boot/vmlinuz-${abi}`);
      if (await extractVmlinux(vmlinuz, vmlinux)) {
        kernel = vmlinux;
      } else {
        // No decompressor found a PVH ELF: boot the bzImage (slower, still correct).
        await writeAtomically(bzImage, await readFile(vmlinuz));
        kernel = bzImage;
      }
    }

    const modules = await resolveModules(roots, abi);
    const busybox = await readFile(findBusybox(join(work, 'busybox')));
    await writeAtomically(initrd, writeCpioNewc(initramfsEntries(init, busybox, modules)));
    return fixture(kernel);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
