/** One line of guest serial output, stamped when its first byte reached bootgate. */
export interface SerialLine {
  /** process.hrtime.bigint() at the data event that carried the line's first byte */
  at: bigint;
  text: string;
  /** the module marker's capture on this line (set by the boot's marker matcher); null: none */
  module?: string | null;
}

/**
 * Longest line kept whole: a guest that prints without newlines would otherwise grow one string
 * until node runs out of memory. Longer output is cut into lines of this size.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte stream into lines without copying the stamp logic into every consumer.
 * Each chunk is stamped once, as soon as its data event fires; a line that spans chunks keeps
 * the stamp of the chunk where it began. Carriage returns and ANSI escapes are stripped.
 * A line reaching MAX_LINE_CHARS is emitted as it is and the rest starts a new line.
 */
export class SerialLineSplitter {
  private partial = '';
  private partialAt: bigint | null = null;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly onLine: (line: SerialLine) => void) {}

  push(chunk: Uint8Array, at: bigint): void {
    const text = this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const end = Math.min(newline === -1 ? text.length : newline, start + MAX_LINE_CHARS - this.partial.length);
      const piece = text.slice(start, end);
      if (piece.length > 0 && this.partialAt === null) this.partialAt = at;
      this.partial += piece;
      if (end === newline) {
        this.emit(at);
        start = newline + 1;
      } else if (this.partial.length >= MAX_LINE_CHARS) {
        this.emit(at);
        start = end;
      } else {
        break;
      }
    }
  }

  /** The line received so far without its newline (a shell prompt waits like that), or null. */
  pending(): SerialLine | null {
    return this.partial.length > 0 && this.partialAt !== null
      ? { at: this.partialAt, text: cleanLine(this.partial) }
      : null;
  }

  /** Emits a trailing line that had no newline (QEMU exited mid-line). */
  flush(at: bigint): void {
    if (this.partial.length > 0) this.emit(at);
  }

  private emit(fallback: bigint): void {
    this.onLine({ at: this.partialAt ?? fallback, text: cleanLine(this.partial) });
    this.partial = '';
    this.partialAt = null;
  }
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\r/g;

export function cleanLine(raw: string): string {
  return raw.replace(ANSI, '');
}
