import { open } from 'node:fs/promises';

/** Berkeley-style sizes of a kernel image, as binutils' `size` prints them. */
export interface ImageSizes {
  text: number;
  data: number;
  bss: number;
  /** text + data + bss */
  total: number;
}

/** What auto_qemu learns from `file` about an image: word size and byte order. */
export interface ElfIdent {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_machine, e.g. 3 = x86, 40 = ARM, 183 = AArch64, 243 = RISC-V */
  machine: number;
}

const SHT_NOBITS = 8;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;

class ElfReader {
  constructor(
    private readonly buf: Buffer,
    readonly ident: ElfIdent,
  ) {}

  u16(off: number): number {
    return this.ident.littleEndian ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }

  u32(off: number): number {
    return this.ident.littleEndian ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  /** 64-bit fields as numbers: section sizes and offsets of a kernel image stay far below 2^53. */
  u64(off: number): number {
    const v = this.ident.littleEndian ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`ELF field at offset ${off} is too large (${v})`);
    return Number(v);
  }

  word(off: number): number {
    return this.ident.bits === 64 ? this.u64(off) : this.u32(off);
  }
}

function parseIdent(head: Buffer, file: string): ElfIdent {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) {
    throw new Error(`${file}: not an ELF file (expected the 0x7f "ELF" magic at its start)`);
  }
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) throw new Error(`${file}: unknown ELF class ${cls} (expected 1 = 32-bit or 2 = 64-bit)`);
  if (data !== 1 && data !== 2) throw new Error(`${file}: unknown ELF data encoding ${data} (expected 1 = LSB or 2 = MSB)`);
  const littleEndian = data === 1;
  const machine = littleEndian ? head.readUInt16LE(18) : head.readUInt16BE(18);
  return { bits: cls === 2 ? 64 : 32, littleEndian, machine };
}

async function readRange(file: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Word size, byte order and machine of an ELF file (reads its first 64 bytes only). */
export async function readElfIdent(file: string): Promise<ElfIdent> {
  return parseIdent(await readRange(file, 0, 64), file);
}

/**
 * text/data/bss of an ELF image computed from its section headers, the way binutils'
 * `size` (Berkeley format) sums BFD sections: only allocated sections count; code or
 * read-only → text, others with contents → data, the rest (NOBITS) → bss.
 */
export async function elfImageSizes(file: string): Promise<ImageSizes> {
  const head = await readRange(file, 0, 64);
  const ident = parseIdent(head, file);
  const hdr = new ElfReader(head, ident);
  const is64 = ident.bits === 64;
  const shoff = is64 ? hdr.u64(0x28) : hdr.u32(0x20);
  const shentsize = hdr.u16(is64 ? 0x3a : 0x2e);
  const shnum = hdr.u16(is64 ? 0x3c : 0x30);
  if (shoff === 0 || shnum === 0) throw new Error(`${file}: ELF file has no section headers (stripped of them?)`);
  const minEntry = is64 ? 64 : 40;
  if (shentsize < minEntry) throw new Error(`${file}: ELF section header size ${shentsize} is below ${minEntry}`);

  const table = await readRange(file, shoff, shentsize * shnum);
  if (table.length < shentsize * shnum) throw new Error(`${file}: truncated ELF file (section headers end past the file's end)`);
  const sh = new ElfReader(table, ident);

  let text = 0;
  let data = 0;
  let bss = 0;
  for (let i = 0; i < shnum; i++) {
    const base = i * shentsize;
    const type = sh.u32(base + 4);
    const flags = sh.word(base + 8);
    const size = is64 ? sh.u64(base + 0x20) : sh.u32(base + 0x14);
    if ((flags & SHF_ALLOC) === 0) continue;
    if ((flags & SHF_EXECINSTR) !== 0 || (flags & SHF_WRITE) === 0) text += size;
    else if (type !== SHT_NOBITS) data += size;
    else bss += size;
  }
  return { text, data, bss, total: text + data + bss };
}
