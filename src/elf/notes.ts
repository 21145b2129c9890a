/** ELF notes: which ones an image carries (the PVH entry note of a Linux vmlinux). */
import { ElfFields, parseElfHeader, programHeader } from './header.js';

const PT_NOTE = 4;
/** Xen's PVH entry point note: QEMU boots such an ELF directly (no bzImage decompressor). */
export const XEN_ELFNOTE_PHYS32_ENTRY = 18;

export interface ElfNote {
  name: string;
  type: number;
}

export interface ElfNotes {
  /** the program and section header tables lie inside the bytes (a whole image, not cut off) */
  complete: boolean;
  /** the notes of every PT_NOTE segment (none when not complete) */
  notes: ElfNote[];
}

/** The notes of the ELF image in `bytes`, or null when the bytes are not an ELF image. */
export function readElfNotes(bytes: Buffer, file = 'ELF image'): ElfNotes | null {
  let header;
  try {
    header = parseElfHeader(file, bytes);
  } catch {
    return null;
  }
  const fields = new ElfFields(file, bytes, header.littleEndian);
  const complete =
    header.shoff + header.shnum * header.shentsize <= bytes.length &&
    header.phoff + header.phnum * header.phentsize <= bytes.length;
  const notes: ElfNote[] = [];
  for (let i = 0; complete && i < header.phnum; i++) {
    const segment = programHeader(fields, header, i);
    if (segment.type !== PT_NOTE) continue;
    const end = Math.min(segment.offset + segment.filesz, bytes.length);
    for (let at = segment.offset; at + 12 <= end;) {
      const nameSize = fields.u32(at);
      const descSize = fields.u32(at + 4);
      const type = fields.u32(at + 8);
      notes.push({ name: bytes.toString('latin1', at + 12, at + 12 + Math.max(0, nameSize - 1)), type });
      at += 12 + Math.ceil(nameSize / 4) * 4 + Math.ceil(descSize / 4) * 4;
    }
  }
  return { complete, notes };
}

/** A whole ELF image with a PVH entry note (QEMU can boot it with -kernel directly). */
export function isWholePvhElf(bytes: Buffer): boolean {
  try {
    const elf = readElfNotes(bytes);
    return (
      elf !== null && elf.complete && elf.notes.some((n) => n.name === 'Xen' && n.type === XEN_ELFNOTE_PHYS32_ENTRY)
    );
  } catch {
    return false; // fields pointing outside the bytes: not a usable image
  }
}
