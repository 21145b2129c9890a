import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elfImageSizes, readElfIdent } from '../../src/elf/index.js';

interface Section {
  type: number;
  flags: number;
  size: number;
}

const PROGBITS = 1;
const NOBITS = 8;
const WRITE = 1;
const ALLOC = 2;
const EXEC = 4;

/** A minimal ELF file: header plus section header table (section contents are not needed by size). */
function makeElf(bits: 32 | 64, little: boolean, machine: number, sections: Section[]): Buffer {
  const ehsize = bits === 64 ? 64 : 52;
  const shentsize = bits === 64 ? 64 : 40;
  const all: Section[] = [{ type: 0, flags: 0, size: 0 }, ...sections];
  const buf = Buffer.alloc(ehsize + shentsize * all.length);
  const u16 = (v: number, o: number) => (little ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (little ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o));
  const u64 = (v: number, o: number) =>
    little ? buf.writeBigUInt64LE(BigInt(v), o) : buf.writeBigUInt64BE(BigInt(v), o);
  buf.writeUInt32BE(0x7f454c46, 0);
  buf[4] = bits === 64 ? 2 : 1;
  buf[5] = little ? 1 : 2;
  buf[6] = 1;
  u16(2, 16);
  u16(machine, 18);
  if (bits === 64) {
    u64(ehsize, 0x28);
    u16(shentsize, 0x3a);
    u16(all.length, 0x3c);
  } else {
    u32(ehsize, 0x20);
    u16(shentsize, 0x2e);
    u16(all.length, 0x30);
  }
  all.forEach((s, i) => {
    const base = ehsize + i * shentsize;
    u32(s.type, base + 4);
    if (bits === 64) {
      u64(s.flags, base + 8);
      u64(s.size, base + 0x20);
    } else {
      u32(s.flags, base + 8);
      u32(s.size, base + 0x14);
    }
  });
  return buf;
}

const SECTIONS: Section[] = [
  { type: PROGBITS, flags: ALLOC | EXEC, size: 1000 }, // .text
  { type: PROGBITS, flags: ALLOC, size: 200 }, // .rodata: read-only → text in Berkeley format
  { type: 7, flags: ALLOC, size: 36 }, // .note: allocated, read-only → text
  { type: PROGBITS, flags: ALLOC | WRITE, size: 300 }, // .data
  { type: 14, flags: ALLOC | WRITE, size: 8 }, // .init_array → data
  { type: NOBITS, flags: ALLOC | WRITE, size: 5000 }, // .bss
  { type: PROGBITS, flags: 0, size: 999 }, // .comment: not allocated
  { type: 2, flags: 0, size: 4096 }, // .symtab
];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-elf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('elfImageSizes', () => {
  it.each([
    [32, true, 3],
    [64, true, 62],
    [32, false, 8],
    [64, false, 43],
  ] as const)('sums sections like size(1) Berkeley output (ELF%i, little endian %s)', async (bits, little, machine) => {
    const file = path.join(dir, `img-${bits}-${little}`);
    await writeFile(file, makeElf(bits, little, machine, SECTIONS));
    expect(await elfImageSizes(file)).toEqual({ text: 1236, data: 308, bss: 5000, total: 6544 });
    expect(await readElfIdent(file)).toEqual({ bits, littleEndian: little, machine });
  });

  it('rejects files that are not ELF or have no section headers', async () => {
    const text = path.join(dir, 'not-elf');
    await writeFile(text, 'hello, this is not an ELF image at all........................');
    await expect(elfImageSizes(text)).rejects.toThrow(/not an ELF image/);
    const bare = path.join(dir, 'bare');
    await writeFile(bare, makeElf(32, true, 3, []).subarray(0, 52).fill(0, 0x20, 0x34));
    await expect(elfImageSizes(bare)).rejects.toThrow(/no section headers/);
  });

  it('rejects a truncated section header table', async () => {
    const file = path.join(dir, 'truncated');
    await writeFile(file, makeElf(32, true, 3, SECTIONS).subarray(0, 100));
    await expect(elfImageSizes(file)).rejects.toThrow(/truncated ELF file/);
  });
});
