import { describe, expect, it } from 'vitest';
import { isWholePvhElf, readElfNotes } from '../../src/elf/index.js';

/** An ELF64 little-endian image with one PT_NOTE segment holding `notes`. */
function elfWithNotes(notes: { name: string; type: number; desc?: Buffer }[]): Buffer {
  const body = Buffer.concat(
    notes.map(({ name, type, desc = Buffer.alloc(4) }) => {
      const nameBytes = Buffer.from(`${name}\0`, 'latin1');
      const head = Buffer.alloc(12);
      head.writeUInt32LE(nameBytes.length, 0);
      head.writeUInt32LE(desc.length, 4);
      head.writeUInt32LE(type, 8);
      const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
      return Buffer.concat([head, pad(nameBytes), pad(desc)]);
    }),
  );
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // ELF64
  header[5] = 1; // little-endian
  header[6] = 1;
  header.writeUInt16LE(2, 16);
  header.writeUInt16LE(62, 18);
  header.writeBigUInt64LE(64n, 32); // e_phoff: right after the header
  header.writeUInt16LE(56, 54); // e_phentsize
  header.writeUInt16LE(1, 56); // e_phnum
  const phdr = Buffer.alloc(56);
  phdr.writeUInt32LE(4, 0); // PT_NOTE
  phdr.writeBigUInt64LE(BigInt(64 + 56), 8); // p_offset
  phdr.writeBigUInt64LE(BigInt(body.length), 32); // p_filesz
  return Buffer.concat([header, phdr, body]);
}

describe('readElfNotes / isWholePvhElf', () => {
  it('lists the notes of the PT_NOTE segments and finds the PVH entry note', () => {
    const image = elfWithNotes([
      { name: 'GNU', type: 3, desc: Buffer.alloc(20) },
      { name: 'Xen', type: 18 },
    ]);
    expect(readElfNotes(image)).toEqual({
      complete: true,
      notes: [
        { name: 'GNU', type: 3 },
        { name: 'Xen', type: 18 },
      ],
    });
    expect(isWholePvhElf(image)).toBe(true);
  });

  it('is false without the note, for a cut-off image and for bytes that are not ELF', () => {
    expect(isWholePvhElf(elfWithNotes([{ name: 'Xen', type: 17 }]))).toBe(false);
    expect(isWholePvhElf(elfWithNotes([{ name: 'Xen', type: 18 }]).subarray(0, 100))).toBe(false);
    expect(readElfNotes(Buffer.from('gzip output that is not an ELF image at all, padded to 64 bytes...'))).toBeNull();
  });
});
