/** Symbol table and entry point of an ELF image, for the deterministic mode's breakpoints. */
import { readFile } from 'node:fs/promises';
import { ElfFields, parseElfHeader, readElfHeader, sectionHeader } from './header.js';

const SHT_SYMTAB = 2;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const STT_SECTION = 3;
const STT_FILE = 4;
const STB_LOCAL = 0;

/** The image's entry point (e_entry). */
export async function elfEntry(file: string): Promise<bigint> {
  return (await readElfHeader(file)).entry;
}

/**
 * Name → address of every defined symbol in the image's SHT_SYMTAB (functions, objects, plain
 * labels; section and file symbols left out). When a name occurs more than once, a global or
 * weak definition wins over a local one, and otherwise the first one in the table.
 */
export async function readElfSymbols(file: string): Promise<Map<string, bigint>> {
  const bytes = await readFile(file);
  const header = parseElfHeader(file, bytes);
  if (!header.littleEndian) {
    throw new Error(`${file}: big-endian ELF images are not supported (expected little-endian, EI_DATA = 1)`);
  }
  const fields = new ElfFields(file, bytes, true);
  const is64 = header.bits === 64;
  let shnum = header.shnum;
  if (header.shoff !== 0 && shnum === 0) {
    // More than 0xff00 sections: the real count is in section 0's sh_size.
    shnum = sectionHeader(fields, header, header.shoff, 0).size;
  }
  const symbolSize = is64 ? 24 : 16;
  const symbols = new Map<string, bigint>();
  const local = new Set<string>();
  let tables = 0;
  for (let index = 0; index < shnum; index++) {
    const section = sectionHeader(fields, header, header.shoff, index);
    if (section.type !== SHT_SYMTAB) continue;
    tables++;
    if (section.link >= shnum)
      throw new Error(`${file}: symbol table's string table index ${section.link} does not exist`);
    const strtab = sectionHeader(fields, header, header.shoff, section.link);
    const entsize = section.entsize || symbolSize;
    if (section.offset + section.size > bytes.length || strtab.offset + strtab.size > bytes.length) {
      throw new Error(`${file}: symbol table lies beyond the end of the file (truncated image?)`);
    }
    // Entry 0 is the reserved null symbol.
    for (let at = section.offset + entsize; at + symbolSize <= section.offset + section.size; at += entsize) {
      const nameOffset = fields.u32(at);
      const info = fields.u8(is64 ? at + 4 : at + 12);
      const shndx = fields.u16(is64 ? at + 6 : at + 14);
      const value = is64 ? fields.big64(at + 8) : BigInt(fields.u32(at + 4));
      const type = info & 0xf;
      const binding = info >> 4;
      if (nameOffset === 0 || shndx === SHN_UNDEF || type === STT_SECTION || type === STT_FILE) continue;
      if (shndx >= SHN_LORESERVE && shndx !== SHN_ABS) continue; // common symbols and the like: no address
      const name = fields.cString(strtab.offset + nameOffset, strtab.offset + strtab.size);
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
