// The Linux fixture's kernel: vmlinuz → a PVH vmlinux QEMU boots directly, and the virtio-net modules in load order.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { isWholePvhElf } from '../elf/index.js';

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
export async function extractVmlinux(vmlinuz: string, out: string): Promise<boolean> {
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
  return basename(file)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/-/g, '_');
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

export interface ResolvedModule {
  name: string;
  data: Buffer;
}

/**
 * The .ko files to insmod for virtio-net, in load order: the fixed list, minus what this kernel
 * has built in, plus (before their users) any dependency a module declares that the list lacks.
 */
export async function resolveModules(moduleRoots: string[], abi: string): Promise<ResolvedModule[]> {
  const builtin = new Set<string>();
  const files = new Map<string, string>();
  for (const root of moduleRoots) {
    const dir = modulesDir(root, abi);
    if (!dir) continue;
    const builtinList = join(dir, 'modules.builtin');
    if (existsSync(builtinList)) {
      for (const line of (await readFile(builtinList, 'utf8')).split('\n'))
        if (line.trim()) builtin.add(moduleName(line.trim()));
    }
    if (existsSync(join(dir, 'kernel')))
      for (const file of await walkFiles(join(dir, 'kernel'))) files.set(moduleName(file), file);
  }
  if (files.size === 0 && builtin.size === 0) {
    throw new Error(
      `linux fixture: no modules for kernel ${abi} in the extracted packages (looked for lib/modules/${abi})`,
    );
  }
  const ordered: ResolvedModule[] = [];
  const done = new Set<string>();
  const visit = async (name: string, chain: string[]): Promise<void> => {
    if (done.has(name) || builtin.has(name)) return;
    if (chain.includes(name))
      throw new Error(`linux fixture: module dependency cycle ${[...chain, name].join(' -> ')}`);
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
