import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, SerialLineSplitter, type SerialLine } from '../../src/boot/serial.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('SerialLineSplitter', () => {
  it('stamps each line with the arrival time of its first byte', () => {
    const lines: SerialLine[] = [];
    const splitter = new SerialLineSplitter((l) => lines.push(l));
    splitter.push(bytes('first\nsec'), 10n);
    splitter.push(bytes('ond\r\nthird'), 20n);
    splitter.push(bytes('\n'), 30n);
    expect(lines).toEqual([
      { at: 10n, text: 'first' },
      { at: 10n, text: 'second' },
      { at: 20n, text: 'third' },
    ]);
  });

  it('flushes a last line without newline and strips ANSI escapes', () => {
    const lines: SerialLine[] = [];
    const splitter = new SerialLineSplitter((l) => lines.push(l));
    splitter.push(bytes('\x1b[0;32m[info]\x1b[0m ok\nno newline'), 5n);
    splitter.flush(9n);
    expect(lines.map((l) => l.text)).toEqual(['[info] ok', 'no newline']);
    expect(lines[1]!.at).toBe(5n);
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const lines: SerialLine[] = [];
    const splitter = new SerialLineSplitter((l) => lines.push(l));
    const all = bytes('start→ready\n');
    splitter.push(all.slice(0, 6), 1n);
    splitter.push(all.slice(6), 2n);
    expect(lines).toEqual([{ at: 1n, text: 'start→ready' }]);
  });

  it('shows the line still being received (a shell prompt has no newline), stamped where it began', () => {
    const lines: SerialLine[] = [];
    const splitter = new SerialLineSplitter((l) => lines.push(l));
    expect(splitter.pending()).toBeNull();
    splitter.push(bytes('>tish\nroot@em'), 3n);
    splitter.push(bytes('box:/# \x1b[K'), 4n);
    expect(lines.map((l) => l.text)).toEqual(['>tish']);
    expect(splitter.pending()).toEqual({ at: 3n, text: 'root@embox:/# ' });
  });
});

describe('SerialLineSplitter on a guest that never ends its line', () => {
  it('cuts a line at MAX_LINE_CHARS, whatever the chunking', () => {
    const lines: SerialLine[] = [];
    const splitter = new SerialLineSplitter((l) => lines.push(l));
    const total = MAX_LINE_CHARS * 3 + 10;
    // odd chunk sizes, so that the cut falls inside a chunk
    for (let sent = 0; sent < total; sent += 7000)
      splitter.push(bytes('x'.repeat(Math.min(7000, total - sent))), BigInt(sent));
    splitter.push(bytes('\nnext\n'), 1n);
    expect(lines.map((l) => l.text.length)).toEqual([MAX_LINE_CHARS, MAX_LINE_CHARS, MAX_LINE_CHARS, 10, 4]);
    expect(lines[1]!.at).toBe(63000n);
  });
});
