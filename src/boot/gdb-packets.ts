// The GDB remote protocol's wire format: packet framing (checksum, escapes, an incremental parser) and stop replies.

/** `$data#cs`: checksum = sum of the (escaped) data bytes modulo 256, two lowercase hex digits. */
export function checksum(data: Buffer): string {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) & 0xff;
  return sum.toString(16).padStart(2, '0');
}

const ESCAPE = 0x7d; // '}'
const MUST_ESCAPE = new Set([0x23, 0x24, 0x7d, 0x2a]); // '#', '$', '}', '*'

/** Frames a packet: escapes the four special bytes as `}` + (byte ^ 0x20). */
export function encodePacket(data: string | Buffer): Buffer {
  const raw = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const escaped: number[] = [];
  for (const byte of raw) {
    if (MUST_ESCAPE.has(byte)) escaped.push(ESCAPE, byte ^ 0x20);
    else escaped.push(byte);
  }
  const body = Buffer.from(escaped);
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${checksum(body)}`, 'latin1')]);
}

/** Undoes escapes and run-length encoding (`X*n` = X repeated n - 29 more times) of a packet body. */
export function decodePacketBody(body: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte === ESCAPE && i + 1 < body.length) {
      out.push(body[++i]! ^ 0x20);
    } else if (byte === 0x2a && i + 1 < body.length && out.length > 0) {
      const repeat = body[++i]! - 29;
      const last = out[out.length - 1]!;
      for (let r = 0; r < repeat; r++) out.push(last);
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}

export type ParsedEvent =
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'packet'; data: string }
  | { kind: 'bad-checksum'; expected: string; got: string }
  | { kind: 'notification'; data: string };

/**
 * Incremental parser of the byte stream from the stub: acks, packets, and `%…#cs`
 * notifications. Bytes outside any packet other than + and - are ignored, as gdb does.
 */
export class PacketParser {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onEvent: (event: ParsedEvent) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (at < this.pending.length) {
      const byte = this.pending[at]!;
      if (byte === 0x2b) {
        this.onEvent({ kind: 'ack' });
        at++;
      } else if (byte === 0x2d) {
        this.onEvent({ kind: 'nack' });
        at++;
      } else if (byte === 0x24 || byte === 0x25) {
        const hash = this.pending.indexOf(0x23, at + 1);
        if (hash === -1 || hash + 2 >= this.pending.length) break; // wait for the rest of the packet
        const body = this.pending.subarray(at + 1, hash);
        const got = this.pending.toString('latin1', hash + 1, hash + 3).toLowerCase();
        const expected = checksum(body);
        at = hash + 3;
        if (got !== expected) this.onEvent({ kind: 'bad-checksum', expected, got });
        else {
          const data = decodePacketBody(body).toString('latin1');
          this.onEvent(byte === 0x24 ? { kind: 'packet', data } : { kind: 'notification', data });
        }
      } else {
        at++;
      }
    }
    this.pending = this.pending.subarray(at);
  }
}

/** Why the target stopped, from a stop reply (`S05`, `T05thread:01;…`, `W00`, `X09`). */
export interface StopReply {
  /** 'signal': stopped (breakpoint, step, interrupt); 'exited' / 'killed': the target is gone */
  kind: 'signal' | 'exited' | 'killed';
  /** signal number for 'signal' and 'killed', exit status for 'exited' */
  code: number;
  /** `key:value` pairs of a T reply (e.g. thread, hwbreak, swbreak, register numbers) */
  info: Record<string, string>;
  raw: string;
}

export function parseStopReply(data: string): StopReply | null {
  const head = data[0];
  if (!head || !/^[STWX][0-9a-fA-F]{2}/.test(data)) return null;
  const code = Number.parseInt(data.slice(1, 3), 16);
  const info: Record<string, string> = {};
  if (head === 'T') {
    for (const pair of data.slice(3).split(';')) {
      const colon = pair.indexOf(':');
      if (colon > 0) info[pair.slice(0, colon)] = pair.slice(colon + 1);
    }
  }
  const kind = head === 'W' ? 'exited' : head === 'X' ? 'killed' : 'signal';
  return { kind, code, info, raw: data };
}

export const SIGTRAP = 5;
