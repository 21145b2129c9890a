import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuestSpec } from '../../src/boot/guest.js';
import { identicalImage, loadedSectionsDigest } from '../../src/build/identical-image.js';

/** A little-endian ELF32 with one PT_LOAD segment holding `code`, followed by `trailer` (as debug info would be). */
function elf32(code: Buffer, trailer: string, entry = 0x100000): Buffer {
  const header = Buffer.alloc(52);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 1; // 32-bit
  header[5] = 1; // little-endian
  header[6] = 1;
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(3, 18); // EM_386
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(entry, 24);
  header.writeUInt32LE(52, 28); // phoff
  header.writeUInt16LE(52, 40);
  header.writeUInt16LE(32, 42); // phentsize
  header.writeUInt16LE(1, 44); // phnum
  const ph = Buffer.alloc(32);
  ph.writeUInt32LE(1, 0); // PT_LOAD
  ph.writeUInt32LE(84, 4); // offset
  ph.writeUInt32LE(entry, 8);
  ph.writeUInt32LE(entry, 12);
  ph.writeUInt32LE(code.length, 16);
  ph.writeUInt32LE(code.length + 4096, 20);
  return Buffer.concat([header, ph, code, Buffer.from(trailer)]);
}

const guest = (kernel: string): GuestSpec => ({
  qemu: 'qemu-system-i386',
  memoryMb: 64,
  kernel,
  network: null,
  httpPath: '/',
  extraArgs: [],
  startMarker: 'start',
  readyMarker: 'ready',
  moduleMarker: null,
  timeoutMs: 30_000,
});

describe('identical image', () => {
  it('same bytes, same loaded sections (only the unloaded part differs), or different', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-identical-'));
    const code = Buffer.from('\x90\x90\xf4 boot code');
    const files = {
      a: elf32(code, 'debug: /home/alice/embox/src/kernel.c'),
      sameBytes: elf32(code, 'debug: /home/alice/embox/src/kernel.c'),
      otherPath: elf32(code, 'debug: /tmp/work-tree-2/src/kernel.c'),
      otherCode: elf32(Buffer.from('\x90\x90\xf4 boot c0de'), 'debug: /home/alice/embox/src/kernel.c'),
      otherEntry: elf32(code, 'debug: /home/alice/embox/src/kernel.c', 0x200000),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
    const at = (name: string): GuestSpec => guest(path.join(dir, name));
    expect(await identicalImage(at('a'), at('sameBytes'))).toBe('same bytes');
    expect(await identicalImage(at('a'), at('otherPath'))).toBe('same loaded sections');
    expect(await identicalImage(at('a'), at('otherCode'))).toBeNull();
    expect(await identicalImage(at('a'), at('otherEntry'))).toBeNull();
    // the same image booted differently is not the same boot
    expect(await identicalImage(at('a'), { ...at('sameBytes'), memoryMb: 128 })).toBeNull();
    expect(loadedSectionsDigest(Buffer.from('not an elf at all, just some text here that is long enough.'))).toBeNull();
  });
});
