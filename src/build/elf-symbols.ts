/**
 * Reads the symbol table and entry point of a little-endian ELF32/ELF64 image, in TypeScript
 * (no binutils at run time), for the deterministic mode's breakpoints.
 */
import { open, readFile } from 'node:fs/promises';

const ELF_MAGIC = 0x464c457f; // "\x7fELF" read as a little-endian uint32
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const SHT_SYMTAB = 2;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const STT_SECTION = 3;
const STT_FILE = 4;
const STB_LOCAL = 0;

interface ElfLayout {
  is64: boolean;
  entry: bigint;
  shoff: number;
  shentsize: number;
  shnum: number;
}

/** Checks the identification bytes and reads the header fields we use. */
function parseHeader(file: string, bytes: Buffer): ElfLayout {
  if (bytes.length < 52 || bytes.readUInt32LE(0) !== ELF_MAGIC) {
    throw new Error(`${file} is not an ELF image (no \\x7fELF magic at offset 0)`);
  }
  const elfClass = bytes[4];
  if (elfClass !== ELFCLASS32 && elfClass !== ELFCLASS64) {
    throw new Error(`${file}: unknown ELF class ${elfClass} (expected 1 = ELF32 or 2 = ELF64)`);
  }
  if (bytes[5] !== ELFDATA2LSB) {
    throw new Error(`${file}: big-endian ELF images are not supported (expected little-endian, EI_DATA = 1)`);
  }
  const is64 = elfClass === ELFCLASS64;
  if (is64 && bytes.length < 64) throw new Error(`${file}: ELF64 header is truncated (${bytes.length} bytes)`);
  return is64
    ? {
        is64,
        entry: bytes.readBigUInt64LE(24),
        shoff: safeNumber(file, bytes.readBigUInt64LE(40), 'e_shoff'),
        shentsize: bytes.readUInt16LE(58),
        shnum: bytes.readUInt16LE(60),
      }
    : {
        is64,
        entry: BigInt(bytes.readUInt32LE(24)),
        shoff: bytes.readUInt32LE(32),
        shentsize: bytes.readUInt16LE(46),
        shnum: bytes.readUInt16LE(48),
      };
}

function safeNumber(file: string, value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${file}: ELF field ${field} = ${value} is out of range`);
  return Number(value);
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

function readSection(file: string, bytes: Buffer, layout: ElfLayout, index: number): Section {
  const at = layout.shoff + index * layout.shentsize;
  if (at + (layout.is64 ? 64 : 40) > bytes.length) {
    throw new Error(`${file}: section header ${index} lies beyond the end of the file (truncated image?)`);
  }
  return layout.is64
    ? {
        type: bytes.readUInt32LE(at + 4),
        offset: safeNumber(file, bytes.readBigUInt64LE(at + 24), 'sh_offset'),
        size: safeNumber(file, bytes.readBigUInt64LE(at + 32), 'sh_size'),
        link: bytes.readUInt32LE(at + 40),
        entsize: safeNumber(file, bytes.readBigUInt64LE(at + 56), 'sh_entsize'),
      }
    : {
        type: bytes.readUInt32LE(at + 4),
        offset: bytes.readUInt32LE(at + 16),
        size: bytes.readUInt32LE(at + 20),
        link: bytes.readUInt32LE(at + 24),
        entsize: bytes.readUInt32LE(at + 36),
      };
}

function cString(bytes: Buffer, start: number, end: number): string {
  const nul = bytes.indexOf(0, start);
  return bytes.toString('latin1', start, nul === -1 || nul > end ? end : nul);
}

/** The image's entry point (e_entry). */
export async function elfEntry(file: string): Promise<bigint> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(64);
    const { bytesRead } = await handle.read(header, 0, 64, 0);
    return parseHeader(file, header.subarray(0, bytesRead)).entry;
  } finally {
    await handle.close();
  }
}

/**
 * Name → address of every defined symbol in the image's SHT_SYMTAB (functions, objects, plain
 * labels; section and file symbols left out). When a name occurs more than once, a global or
 * weak definition wins over a local one, and otherwise the first one in the table.
 */
export async function readElfSymbols(file: string): Promise<Map<string, bigint>> {
  const bytes = await readFile(file);
  const layout = parseHeader(file, bytes);
  if (layout.shoff !== 0 && layout.shnum === 0) {
    // More than 0xff00 sections: the real count is in section 0's sh_size.
    layout.shnum = readSection(file, bytes, layout, 0).size;
  }
  const symbolSize = layout.is64 ? 24 : 16;
  const symbols = new Map<string, bigint>();
  const local = new Set<string>();
  let tables = 0;
  for (let index = 0; index < layout.shnum; index++) {
    const section = readSection(file, bytes, layout, index);
    if (section.type !== SHT_SYMTAB) continue;
    tables++;
    if (section.link >= layout.shnum) throw new Error(`${file}: symbol table's string table index ${section.link} does not exist`);
    const strtab = readSection(file, bytes, layout, section.link);
    const entsize = section.entsize || symbolSize;
    if (section.offset + section.size > bytes.length || strtab.offset + strtab.size > bytes.length) {
      throw new Error(`${file}: symbol table lies beyond the end of the file (truncated image?)`);
    }
    // Entry 0 is the reserved null symbol.
    for (let at = section.offset + entsize; at + symbolSize <= section.offset + section.size; at += entsize) {
      const nameOffset = bytes.readUInt32LE(at);
      const info = layout.is64 ? bytes[at + 4]! : bytes[at + 12]!;
      const shndx = layout.is64 ? bytes.readUInt16LE(at + 6) : bytes.readUInt16LE(at + 14);
      const value = layout.is64 ? bytes.readBigUInt64LE(at + 8) : BigInt(bytes.readUInt32LE(at + 4));
      const type = info & 0xf;
      const binding = info >> 4;
      if (nameOffset === 0 || shndx === SHN_UNDEF || type === STT_SECTION || type === STT_FILE) continue;
      if (shndx >= SHN_LORESERVE && shndx !== SHN_ABS) continue; // common symbols and the like: no address
      const name = cString(bytes, strtab.offset + nameOffset, strtab.offset + strtab.size);
      if (!name) continue;
      const isLocal = binding === STB_LOCAL;
      if (!symbols.has(name) || (local.has(name) && !isLocal)) {
        symbols.set(name, value);
        if (isLocal) local.add(name);
        else local.delete(name);
      }
    }
  }
  if (tables === 0) {
    throw new Error(
      `${file} has no symbol table (stripped image): deterministic mode needs its symbols to place breakpoints; ` +
        'boot the unstripped ELF (e.g. the one the build produced before strip/objcopy)',
    );
  }
  return symbols;
}
