/** text/data/bss of an ELF image, as binutils' `size` prints them. */
import { ElfFields, readElfHeader, readRange, sectionHeader } from './header.js';

/** Berkeley-style sizes of a kernel image, as binutils' `size` prints them. */
export interface ImageSizes {
  text: number;
  data: number;
  bss: number;
  /** text + data + bss */
  total: number;
}

const SHT_NOBITS = 8;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;

/**
 * text/data/bss of an ELF image computed from its section headers, the way binutils'
 * `size` (Berkeley format) sums BFD sections: only allocated sections count; code or
 * read-only → text, others with contents → data, the rest (NOBITS) → bss.
 */
export async function elfImageSizes(file: string): Promise<ImageSizes> {
  const header = await readElfHeader(file);
  const { shoff, shentsize, shnum } = header;
  if (shoff === 0 || shnum === 0) throw new Error(`${file}: ELF file has no section headers (stripped of them?)`);
  const minEntry = header.bits === 64 ? 64 : 40;
  if (shentsize < minEntry) throw new Error(`${file}: ELF section header size ${shentsize} is below ${minEntry}`);

  // Only the section header table is read: a kernel image can be large.
  const table = await readRange(file, shoff, shentsize * shnum);
  if (table.length < shentsize * shnum)
    throw new Error(`${file}: truncated ELF file (section headers end past the file's end)`);
  const fields = new ElfFields(file, table, header.littleEndian);

  let text = 0;
  let data = 0;
  let bss = 0;
  for (let i = 0; i < shnum; i++) {
    const { type, flags, size } = sectionHeader(fields, header, 0, i);
    if ((flags & SHF_ALLOC) === 0) continue;
    if ((flags & SHF_EXECINSTR) !== 0 || (flags & SHF_WRITE) === 0) text += size;
    else if (type !== SHT_NOBITS) data += size;
    else bss += size;
  }
  return { text, data, bss, total: text + data + bss };
}
