import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLocation } from '../../src/boot/break-location.js';
import { elfEntry, readElfSymbols } from '../../src/elf/index.js';

interface SyntheticSymbol {
  name: string;
  value: bigint;
  /** 0 local, 1 global, 2 weak */
  bind?: number;
  /** 0 notype, 1 object, 2 func, 3 section, 4 file */
  type?: number;
  /** 0 = undefined; anything else = defined in that section */
  shndx?: number;
}

/** A minimal little-endian ELF: header, .strtab, .symtab, section headers (null, symtab, strtab). */
function syntheticElf(options: {
  is64: boolean;
  entry: bigint;
  symbols?: SyntheticSymbol[];
  bigEndian?: boolean;
}): Buffer {
  const { is64 } = options;
  const headerSize = is64 ? 64 : 52;
  const symSize = is64 ? 24 : 16;
  const shSize = is64 ? 64 : 40;
  const names: number[] = [];
  let strtab = Buffer.from([0]);
  for (const symbol of options.symbols ?? []) {
    names.push(strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(`${symbol.name}\0`, 'latin1')]);
  }
  const symtab = Buffer.alloc(symSize * ((options.symbols?.length ?? 0) + 1));
  (options.symbols ?? []).forEach((symbol, i) => {
    const at = (i + 1) * symSize;
    const info = ((symbol.bind ?? 1) << 4) | (symbol.type ?? 2);
    const shndx = symbol.shndx ?? 1;
    symtab.writeUInt32LE(names[i]!, at);
    if (is64) {
      symtab[at + 4] = info;
      symtab.writeUInt16LE(shndx, at + 6);
      symtab.writeBigUInt64LE(symbol.value, at + 8);
    } else {
      symtab.writeUInt32LE(Number(symbol.value), at + 4);
      symtab[at + 12] = info;
      symtab.writeUInt16LE(shndx, at + 14);
    }
  });
  const withSymtab = options.symbols !== undefined;
  const strtabOffset = headerSize;
  const symtabOffset = strtabOffset + strtab.length;
  const shoff = symtabOffset + (withSymtab ? symtab.length : 0);
  const sections = withSymtab ? 3 : 1;
  const header = Buffer.alloc(headerSize);
  header.writeUInt32LE(0x464c457f, 0);
  header[4] = is64 ? 2 : 1;
  header[5] = options.bigEndian ? 2 : 1;
  header[6] = 1;
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(is64 ? 62 : 3, 18);
  if (is64) {
    header.writeBigUInt64LE(options.entry, 24);
    header.writeBigUInt64LE(BigInt(shoff), 40);
    header.writeUInt16LE(shSize, 58);
    header.writeUInt16LE(sections, 60);
  } else {
    header.writeUInt32LE(Number(options.entry), 24);
    header.writeUInt32LE(shoff, 32);
    header.writeUInt16LE(shSize, 46);
    header.writeUInt16LE(sections, 48);
  }
  const sectionHeaders = Buffer.alloc(shSize * sections);
  const section = (index: number, type: number, offset: number, size: number, link: number, entsize: number): void => {
    const at = index * shSize;
    sectionHeaders.writeUInt32LE(type, at + 4);
    if (is64) {
      sectionHeaders.writeBigUInt64LE(BigInt(offset), at + 24);
      sectionHeaders.writeBigUInt64LE(BigInt(size), at + 32);
      sectionHeaders.writeUInt32LE(link, at + 40);
      sectionHeaders.writeBigUInt64LE(BigInt(entsize), at + 56);
    } else {
      sectionHeaders.writeUInt32LE(offset, at + 16);
      sectionHeaders.writeUInt32LE(size, at + 20);
      sectionHeaders.writeUInt32LE(link, at + 24);
      sectionHeaders.writeUInt32LE(entsize, at + 36);
    }
  };
  if (withSymtab) {
    section(1, 2, symtabOffset, symtab.length, 2, symSize); // SHT_SYMTAB, strings in section 2
    section(2, 3, strtabOffset, strtab.length, 0, 0); // SHT_STRTAB
  }
  return Buffer.concat([header, strtab, ...(withSymtab ? [symtab] : []), sectionHeaders]);
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bootgate-elf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

const SAMPLE: SyntheticSymbol[] = [
  { name: '_start', value: 0x10000cn, bind: 1, type: 0 },
  { name: 'accept', value: 0x123450n, bind: 1, type: 2 },
  { name: 'helper', value: 0x200000n, bind: 0, type: 2 }, // local first…
  { name: 'helper', value: 0x200100n, bind: 1, type: 2 }, // …a global of the same name wins
  { name: 'twice', value: 0x300000n, bind: 0, type: 2 },
  { name: 'twice', value: 0x300100n, bind: 0, type: 2 }, // two locals: the first stays
  { name: 'printf', value: 0n, bind: 1, type: 2, shndx: 0 }, // undefined: no address
  { name: 'kernel.c', value: 0n, bind: 0, type: 4, shndx: 0xfff1 }, // file symbol
  { name: '.text', value: 0x100000n, bind: 0, type: 3 }, // section symbol
  { name: 'absolute', value: 0x42n, bind: 1, type: 0, shndx: 0xfff1 },
];

describe('readElfSymbols / elfEntry', () => {
  it('reads an ELF32 symbol table: defined symbols only, globals over locals', async () => {
    const file = await write('k32.elf', syntheticElf({ is64: false, entry: 0x10000cn, symbols: SAMPLE }));
    const symbols = await readElfSymbols(file);
    expect(Object.fromEntries(symbols)).toEqual({
      _start: 0x10000cn,
      accept: 0x123450n,
      helper: 0x200100n,
      twice: 0x300000n,
      absolute: 0x42n,
    });
    expect(await elfEntry(file)).toBe(0x10000cn);
  });

  it('reads an ELF64 symbol table with addresses above 4 GiB', async () => {
    const file = await write(
      'k64.elf',
      syntheticElf({
        is64: true,
        entry: 0xffffffff80001000n,
        symbols: [...SAMPLE, { name: 'high', value: 0xffffffff80123456n, bind: 1, type: 2 }],
      }),
    );
    const symbols = await readElfSymbols(file);
    expect(symbols.get('high')).toBe(0xffffffff80123456n);
    expect(symbols.get('accept')).toBe(0x123450n);
    expect(symbols.has('printf')).toBe(false);
    expect(symbols.has('.text')).toBe(false);
    expect(await elfEntry(file)).toBe(0xffffffff80001000n);
  });

  it('says a stripped image has no symbols and that deterministic mode needs them', async () => {
    const file = await write('stripped.elf', syntheticElf({ is64: false, entry: 0x100000n }));
    await expect(readElfSymbols(file)).rejects.toThrow(
      /stripped\.elf has no symbol table \(stripped image\): deterministic mode needs its symbols/,
    );
    expect(await elfEntry(file)).toBe(0x100000n); // the entry point is still there
  });

  it('rejects files that are not little-endian ELF', async () => {
    const text = await write(
      'notes.txt',
      Buffer.from('not an ELF image at all, just some text to fill 64 bytes of header space'),
    );
    await expect(readElfSymbols(text)).rejects.toThrow(/notes\.txt is not an ELF image/);
    await expect(elfEntry(text)).rejects.toThrow(/not an ELF image/);
    const big = await write('big.elf', syntheticElf({ is64: false, entry: 0n, symbols: [], bigEndian: true }));
    await expect(readElfSymbols(big)).rejects.toThrow(/big-endian ELF images are not supported/);
    await expect(readElfSymbols(path.join(dir, 'missing.elf'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects a truncated image', async () => {
    const whole = syntheticElf({ is64: true, entry: 0n, symbols: SAMPLE });
    const file = await write('cut.elf', whole.subarray(0, whole.length - 10));
    await expect(readElfSymbols(file)).rejects.toThrow(/beyond the end of the file/);
  });
});

describe('resolveLocation (deterministic mode start/ready)', () => {
  const symbols = new Map<string, bigint>([
    ['accept', 0x1000n],
    ['uart_end_line', 0x2000n],
    ['tcp_accept_conn', 0x3000n],
  ]);

  it('resolves a symbol, an address and a hit count', () => {
    expect(resolveLocation('accept', symbols, 'img')).toEqual({ spec: 'accept', address: 0x1000n, hit: 1 });
    expect(resolveLocation('uart_end_line@3', symbols, 'img')).toEqual({
      spec: 'uart_end_line@3',
      address: 0x2000n,
      hit: 3,
    });
    expect(resolveLocation('0x10000C', symbols, 'img')).toEqual({ spec: '0x10000C', address: 0x10000cn, hit: 1 });
  });

  it('names the image and similar symbols when one is missing', () => {
    expect(() => resolveLocation('Accept_', symbols, 'build/embox')).toThrow(
      /symbol "Accept_" is not in build\/embox \(3 symbols\)/,
    );
    expect(() => resolveLocation('ccept', symbols, 'img')).toThrow(/similar names: accept, tcp_accept_conn/);
  });

  it('rejects malformed locations', () => {
    expect(() => resolveLocation('accept@0', symbols, 'img')).toThrow(/hit count after @ must be 1 or more/);
    expect(() => resolveLocation('two words', symbols, 'img')).toThrow(/not a code location/);
    expect(() => resolveLocation('', symbols, 'img')).toThrow(/not a code location/);
  });
});
