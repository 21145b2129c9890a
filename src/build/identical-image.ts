// "Identical image": base and head would boot the same thing, so no boot can tell them apart.
// Same bytes, or, for ELF kernels, the same loadable segments (PT_LOAD contents and addresses,
// and the entry point): symbol tables and debug info, where build paths end up, are not loaded.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { GuestSpec } from '../boot/guest.js';

const PT_LOAD = 1;

export type IdenticalImage = 'same bytes' | 'same loaded sections';

/** sha256 of what the loader reads from an ELF file, or null when the file is not ELF. */
export function loadedSectionsDigest(bytes: Buffer): string | null {
  if (bytes.length < 52 || bytes.readUInt32BE(0) !== 0x7f454c46) return null;
  const is64 = bytes[4] === 2;
  const little = bytes[5] === 1;
  const u16 = (o: number): number => (little ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number): number => (little ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const u64 = (o: number): number => Number(little ? bytes.readBigUInt64LE(o) : bytes.readBigUInt64BE(o));
  if (bytes.length < (is64 ? 64 : 52)) return null;
  const entry = is64 ? u64(24) : u32(24);
  const phoff = is64 ? u64(32) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const hash = createHash('sha256').update(`entry ${entry}\n`);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + phentsize > bytes.length) return null;
    if (u32(at) !== PT_LOAD) continue;
    const offset = is64 ? u64(at + 8) : u32(at + 4);
    const vaddr = is64 ? u64(at + 16) : u32(at + 8);
    const filesz = is64 ? u64(at + 32) : u32(at + 16);
    const memsz = is64 ? u64(at + 40) : u32(at + 20);
    if (offset + filesz > bytes.length) return null;
    hash.update(`load ${vaddr} ${filesz} ${memsz}\n`).update(bytes.subarray(offset, offset + filesz));
  }
  return hash.digest('hex');
}

async function fileKey(file: string | undefined): Promise<{ bytes: string; loaded: string | null } | null> {
  if (!file) return null;
  const bytes = await readFile(file);
  return { bytes: createHash('sha256').update(bytes).digest('hex'), loaded: loadedSectionsDigest(bytes) };
}

/**
 * 'same bytes' or 'same loaded sections' when base and head boot the same image with the same
 * QEMU settings, else null.
 */
export async function identicalImage(base: GuestSpec, head: GuestSpec): Promise<IdenticalImage | null> {
  const { kernel: bk, initrd: bi, ...baseRest } = base;
  const { kernel: hk, initrd: hi, ...headRest } = head;
  if (JSON.stringify(baseRest) !== JSON.stringify(headRest)) return null;
  if ((bi === undefined) !== (hi === undefined)) return null;
  const [kb, kh, ib, ih] = await Promise.all([fileKey(bk), fileKey(hk), fileKey(bi), fileKey(hi)]);
  if (ib?.bytes !== ih?.bytes) return null;
  if (kb!.bytes === kh!.bytes) return 'same bytes';
  if (kb!.loaded !== null && kb!.loaded === kh!.loaded) return 'same loaded sections';
  return null;
}
