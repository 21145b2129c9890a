/**
 * The one ELF header reader (ELF32/ELF64, either byte order), in TypeScript so no binutils are
 * needed at run time. symbols.ts, sizes.ts and notes.ts build on it.
 */
import { open } from 'node:fs/promises';

/** What `file` says about an image: word size and byte order, and its machine. */
export interface ElfIdent {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_machine, e.g. 3 = x86, 40 = ARM, 183 = AArch64, 243 = RISC-V */
  machine: number;
}

/** The ELF header fields bootgate uses. */
export interface ElfHeader extends ElfIdent {
  entry: bigint;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
}

export interface SectionHeader {
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ProgramHeader {
  type: number;
  offset: number;
  filesz: number;
}

/** The 64-byte prefix that holds an ELF32 or ELF64 header. */
export const ELF_HEADER_BYTES = 64;

/** Reads fields of either byte order; 64-bit offsets and sizes as numbers (images stay far below 2^53). */
export class ElfFields {
  constructor(
    readonly file: string,
    private readonly buf: Buffer,
    private readonly littleEndian: boolean,
  ) {}

  get length(): number {
    return this.buf.length;
  }

  u8(off: number): number {
    return this.buf[off]!;
  }

  u16(off: number): number {
    return this.littleEndian ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }

  u32(off: number): number {
    return this.littleEndian ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  big64(off: number): bigint {
    return this.littleEndian ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
  }

  u64(off: number, field: string): number {
    const value = this.big64(off);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(`${this.file}: ELF field ${field} = ${value} is out of range`);
    return Number(value);
  }

  /** A NUL-terminated string starting at `start`, cut at `end`. */
  cString(start: number, end: number): string {
    const nul = this.buf.indexOf(0, start);
    return this.buf.toString('latin1', start, nul === -1 || nul > end ? end : nul);
  }
}

/** Checks the identification bytes and reads the ELF header from the file's first bytes. */
export function parseElfHeader(file: string, head: Buffer): ElfHeader {
  if (head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) {
    throw new Error(`${file} is not an ELF image (no \\x7fELF magic at offset 0)`);
  }
  const elfClass = head[4];
  const data = head[5];
  if (elfClass !== 1 && elfClass !== 2)
    throw new Error(`${file}: unknown ELF class ${elfClass} (expected 1 = ELF32 or 2 = ELF64)`);
  if (data !== 1 && data !== 2)
    throw new Error(`${file}: unknown ELF data encoding ${data} (expected 1 = LSB or 2 = MSB)`);
  const littleEndian = data === 1;
  const fields = new ElfFields(file, head, littleEndian);
  const machine = fields.u16(18);
  if (elfClass === 1) {
    return {
      bits: 32,
      littleEndian,
      machine,
      entry: BigInt(fields.u32(24)),
      phoff: fields.u32(28),
      shoff: fields.u32(32),
      phentsize: fields.u16(42),
      phnum: fields.u16(44),
      shentsize: fields.u16(46),
      shnum: fields.u16(48),
    };
  }
  if (head.length < ELF_HEADER_BYTES) throw new Error(`${file}: ELF64 header is truncated (${head.length} bytes)`);
  return {
    bits: 64,
    littleEndian,
    machine,
    entry: fields.big64(24),
    phoff: fields.u64(32, 'e_phoff'),
    shoff: fields.u64(40, 'e_shoff'),
    phentsize: fields.u16(54),
    phnum: fields.u16(56),
    shentsize: fields.u16(58),
    shnum: fields.u16(60),
  };
}

/** Section header `index` of a table that starts at byte `tableStart` of `fields`. */
export function sectionHeader(fields: ElfFields, header: ElfHeader, tableStart: number, index: number): SectionHeader {
  const at = tableStart + index * header.shentsize;
  if (at + (header.bits === 64 ? 64 : 40) > fields.length) {
    throw new Error(`${fields.file}: section header ${index} lies beyond the end of the file (truncated image?)`);
  }
  return header.bits === 64
    ? {
        type: fields.u32(at + 4),
        flags: fields.u64(at + 8, 'sh_flags'),
        offset: fields.u64(at + 24, 'sh_offset'),
        size: fields.u64(at + 32, 'sh_size'),
        link: fields.u32(at + 40),
        entsize: fields.u64(at + 56, 'sh_entsize'),
      }
    : {
        type: fields.u32(at + 4),
        flags: fields.u32(at + 8),
        offset: fields.u32(at + 16),
        size: fields.u32(at + 20),
        link: fields.u32(at + 24),
        entsize: fields.u32(at + 36),
      };
}

/** Program header `index` (the table at e_phoff of a whole image in `fields`). */
export function programHeader(fields: ElfFields, header: ElfHeader, index: number): ProgramHeader {
  const at = header.phoff + index * header.phentsize;
  return header.bits === 64
    ? { type: fields.u32(at), offset: fields.u64(at + 8, 'p_offset'), filesz: fields.u64(at + 32, 'p_filesz') }
    : { type: fields.u32(at), offset: fields.u32(at + 4), filesz: fields.u32(at + 16) };
}

/** Up to `length` bytes of `file` from `position` (fewer at its end). */
export async function readRange(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The header of an ELF file (reads its first 64 bytes only). */
export async function readElfHeader(file: string): Promise<ElfHeader> {
  return parseElfHeader(file, await readRange(file, 0, ELF_HEADER_BYTES));
}

/** Word size, byte order and machine of an ELF file (reads its first 64 bytes only). */
export async function readElfIdent(file: string): Promise<ElfIdent> {
  const { bits, littleEndian, machine } = await readElfHeader(file);
  return { bits, littleEndian, machine };
}
