import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checksum,
  decodePacketBody,
  encodePacket,
  PacketParser,
  parseStopReply,
  type ParsedEvent,
} from '../../src/boot/gdb-packets.js';
import { GdbRemote } from '../../src/boot/gdb-remote.js';
import { QmpClient, QmpError } from '../../src/boot/qmp.js';

describe('packet framing', () => {
  it('computes the modulo-256 checksum as two lowercase hex digits', () => {
    expect(checksum(Buffer.from(''))).toBe('00');
    expect(checksum(Buffer.from('OK'))).toBe('9a');
    expect(checksum(Buffer.from('c'))).toBe('63');
    expect(checksum(Buffer.from('\xff\x02', 'latin1'))).toBe('01');
  });

  it('frames a packet and escapes $ # } * over the escaped bytes', () => {
    expect(encodePacket('?').toString('latin1')).toBe('$?#3f');
    expect(encodePacket('Z0,10000c,1').toString('latin1')).toBe(`$Z0,10000c,1#${checksum(Buffer.from('Z0,10000c,1'))}`);
    const framed = encodePacket('a$b#c}d*e').toString('latin1');
    const body = 'a}\x04b}\x03c}]d}\x0ae';
    expect(framed).toBe(`$${body}#${checksum(Buffer.from(body, 'latin1'))}`);
  });

  it('decodes escapes and run-length encoding', () => {
    expect(decodePacketBody(Buffer.from('a}\x04b}]', 'latin1')).toString('latin1')).toBe('a$b}');
    // "0* " = '0' then (' ' - 29) = 3 more
    expect(decodePacketBody(Buffer.from('0* 1', 'latin1')).toString('latin1')).toBe('00001');
    expect(decodePacketBody(Buffer.from('x*"', 'latin1')).toString('latin1')).toBe('xxxxxx');
  });

  it('parses a stream split at any byte: acks, packets, notifications, bad checksums, noise', () => {
    const events: ParsedEvent[] = [];
    const parser = new PacketParser((e) => events.push(e));
    const stream = Buffer.concat([
      Buffer.from('+'),
      encodePacket('T05thread:01;'),
      Buffer.from('-junk'),
      Buffer.from('%Stop:T05#' + checksum(Buffer.from('Stop:T05')), 'latin1'),
      Buffer.from('$OK#00'),
      Buffer.from('$0* #'),
      Buffer.from(checksum(Buffer.from('0* '))),
    ]);
    for (const byte of stream) parser.push(Buffer.from([byte]));
    expect(events).toEqual([
      { kind: 'ack' },
      { kind: 'packet', data: 'T05thread:01;' },
      { kind: 'nack' },
      { kind: 'notification', data: 'Stop:T05' },
      { kind: 'bad-checksum', expected: '9a', got: '00' },
      { kind: 'packet', data: '0000' },
    ]);
  });

  it('parses stop replies', () => {
    expect(parseStopReply('S05')).toEqual({ kind: 'signal', code: 5, info: {}, raw: 'S05' });
    expect(parseStopReply('T05thread:p01.01;swbreak:;')).toMatchObject({
      kind: 'signal',
      code: 5,
      info: { thread: 'p01.01', swbreak: '' },
    });
    expect(parseStopReply('W00')).toMatchObject({ kind: 'exited', code: 0 });
    expect(parseStopReply('X09')).toMatchObject({ kind: 'killed', code: 9 });
    expect(parseStopReply('OK')).toBeNull();
    expect(parseStopReply('E01')).toBeNull();
    expect(parseStopReply('')).toBeNull();
  });
});

/**
 * A fake gdbstub: parses packets with its own code (not the client's), checks their
 * checksums, acks them while ack mode is on, and answers through `reply`.
 */
class FakeStub {
  readonly server = net.createServer((socket) => this.onConnection(socket));
  readonly received: string[] = [];
  /** acks seen from the client before each received packet (the stream is ordered, so this is race-free) */
  readonly acksBefore: number[] = [];
  raw = '';
  acksFromClient = 0;
  noAck = false;
  /** send '-' instead of '+' for the first packet, to force a retransmission */
  nackFirst = false;
  socket: net.Socket | null = null;

  constructor(private readonly reply: (packet: string, stub: FakeStub) => string[] | null) {}

  listen(target: { port: 0; host: string } | { path: string }): Promise<void> {
    return new Promise((resolve) => {
      if ('path' in target) this.server.listen(target.path, resolve);
      else this.server.listen(0, target.host, resolve);
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private onConnection(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    let buffer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.raw += chunk;
      buffer += chunk;
      for (;;) {
        while (buffer.startsWith('+')) {
          this.acksFromClient++;
          buffer = buffer.slice(1);
        }
        const match = /^\$([^#]*)#([0-9a-f]{2})/.exec(buffer);
        if (!match) return;
        buffer = buffer.slice(match[0].length);
        const sum = [...match[1]!].reduce((s, c) => (s + c.charCodeAt(0)) & 0xff, 0);
        if (sum.toString(16).padStart(2, '0') !== match[2]) throw new Error(`fake stub: bad checksum on ${match[0]}`);
        if (!this.noAck) {
          if (this.nackFirst) {
            this.nackFirst = false;
            socket.write('-');
            continue;
          }
          socket.write('+');
        }
        this.received.push(match[1]!);
        this.acksBefore.push(this.acksFromClient);
        const answers = this.reply(match[1]!, this);
        if (answers === null) socket.destroy();
        else for (const answer of answers) socket.write(answer);
      }
    });
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const frame = (data: string): string => encodePacket(data).toString('latin1');

describe('GdbRemote against a fake stub', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(reply: (packet: string, stub: FakeStub) => string[] | null, setup?: (stub: FakeStub) => void) {
    const stub = new FakeStub(reply);
    setup?.(stub);
    await stub.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => stub.close());
    const client = await GdbRemote.connect({ host: '127.0.0.1', port: stub.port }, new AbortController().signal);
    cleanups.push(() => client.close());
    return { stub, client };
  }

  it('acks every packet, retransmits on "-", and keeps acks when the stub has no QStartNoAckMode', async () => {
    const { stub, client } = await start(
      (packet) => {
        if (packet.startsWith('qSupported')) return [frame('PacketSize=1000;vContSupported+')];
        if (packet === '?') return [frame('T05thread:01;')];
        return [frame('')];
      },
      (s) => (s.nackFirst = true),
    );
    expect(client.ackMode).toBe(true);
    expect(client.features.get('PacketSize')).toBe('1000');
    expect(client.features.get('vContSupported')).toBe('+');
    expect(await client.haltReason()).toMatchObject({ kind: 'signal', code: 5 });
    await client.request('qEnd');
    // qSupported was sent twice (once refused with '-'), then '?'
    expect(stub.raw.split('$qSupported').length - 1).toBe(2);
    expect(stub.received).toEqual(['qSupported:swbreak+;hwbreak+', '?', 'qEnd']);
    expect(stub.acksBefore).toEqual([0, 1, 2]);
  });

  it('switches to no-ack mode when the stub offers it', async () => {
    const { stub, client } = await start((packet, s) => {
      if (packet.startsWith('qSupported')) return [frame('PacketSize=1000;QStartNoAckMode+')];
      if (packet === 'QStartNoAckMode') {
        const answer = [frame('OK')];
        s.noAck = true; // from the next packet on
        return answer;
      }
      if (packet === '?') return [frame('S05')];
      return [frame('')];
    });
    expect(client.ackMode).toBe(false);
    await client.haltReason();
    await client.request('qEnd');
    // acks for the qSupported reply and for QStartNoAckMode's OK, none after
    expect(stub.received).toEqual(['qSupported:swbreak+;hwbreak+', 'QStartNoAckMode', '?', 'qEnd']);
    expect(stub.acksBefore).toEqual([0, 1, 2, 2]);
  });

  it('sets a breakpoint with Z0, falls back to Z1 when Z0 is unsupported, removes it', async () => {
    let z0Supported = true;
    const { stub, client } = await start((packet) => {
      if (packet.startsWith('qSupported')) return [frame('')];
      if (packet.startsWith('Z0')) return [frame(z0Supported ? 'OK' : '')];
      if (packet.startsWith('Z1') || packet.startsWith('z')) return [frame('OK')];
      return [frame('')];
    });
    expect(await client.insertBreakpoint(0x10000cn)).toBe('Z0');
    z0Supported = false;
    expect(await client.insertBreakpoint(0xffffffff80001000n)).toBe('Z1');
    await client.removeBreakpoint(0xffffffff80001000n, 'Z1');
    expect(stub.received.slice(1)).toEqual([
      'Z0,10000c,1',
      'Z0,ffffffff80001000,1',
      'Z1,ffffffff80001000,1',
      'z1,ffffffff80001000,1',
    ]);
  });

  it('writes a register as little-endian bytes of its size, and reports a refusal', async () => {
    const { stub, client } = await start((packet) => {
      if (packet.startsWith('qSupported')) return [frame('')];
      if (packet.startsWith('P9=')) return [frame('OK')];
      return [frame('E14')];
    });
    await client.writeRegister(9, 0x246n, 4);
    expect(stub.received.at(-1)).toBe('P9=46020000');
    await expect(client.writeRegister(0x11, 0x202n, 4)).rejects.toThrow(/could not write register 17: E14/);
    expect(stub.received.at(-1)).toBe('P11=02020000');
  });

  it("reports a refused breakpoint with the stub's error", async () => {
    const { client } = await start((packet) => [frame(packet.startsWith('Z') ? 'E22' : '')]);
    await expect(client.insertBreakpoint(0x1000n)).rejects.toThrow(/refused breakpoint Z0 at 0x1000: E22/);
  });

  it('continue waits for the stop reply, skipping console output; replies may be escaped and run-length encoded', async () => {
    const { client } = await start((packet) => {
      if (packet === 'c') {
        // answered in pieces, with "O" console output first
        return [
          frame('O48656c6c6f'),
          '$T0',
          '5thread:01;#',
          checksum(Buffer.from('T05thread:01;')).slice(0, 1),
          checksum(Buffer.from('T05thread:01;')).slice(1),
        ];
      }
      if (packet === 'm1000,8') return [`$0* 1}]#${checksum(Buffer.from('0* 1}]', 'latin1'))}`];
      return [frame('')];
    });
    expect(await client.continue()).toMatchObject({ kind: 'signal', code: 5, info: { thread: '01' } });
    expect(await client.request('m1000,8')).toBe('00001}');
  });

  it('serialises concurrent requests (one outstanding at a time)', async () => {
    const { stub, client } = await start((packet) => [frame(`re:${packet}`)]);
    const replies = await Promise.all(['qA', 'qB', 'qC'].map((p) => client.request(p)));
    expect(replies).toEqual(['re:qA', 're:qB', 're:qC']);
    expect(stub.received.slice(1)).toEqual(['qA', 'qB', 'qC']);
  });

  it('rejects an outstanding request when the stub goes away, and any later one', async () => {
    const { client } = await start((packet) => (packet === 'c' ? null : [frame('')]));
    await expect(client.continue()).rejects.toThrow(/gdbstub connection closed/);
    await expect(client.step()).rejects.toThrow(/gdbstub connection closed/);
  });

  it('reports the exit of the target as a stop reply', async () => {
    const { client } = await start((packet) => [frame(packet === 'c' ? 'W00' : '')]);
    expect(await client.continue()).toMatchObject({ kind: 'exited', code: 0 });
  });
});

describe('connecting to a unix socket that appears later', () => {
  it('retries until the stub listens', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bootgate-gdb-'));
    const socketPath = path.join(dir, 'gdb.sock');
    const stub = new FakeStub((packet) => [frame(packet === '?' ? 'S05' : '')]);
    const timer = setTimeout(() => void stub.listen({ path: socketPath }), 100);
    try {
      const client = await GdbRemote.connect({ path: socketPath }, AbortSignal.timeout(5000));
      expect(await client.haltReason()).toMatchObject({ code: 5 });
      client.close();
    } finally {
      clearTimeout(timer);
      await stub.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives up when the signal aborts, saying why', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('boot timed out')), 50);
    await expect(
      GdbRemote.connect({ path: path.join(tmpdir(), 'bootgate-no-such.sock') }, controller.signal),
    ).rejects.toThrow(/gdbstub: gave up connecting to .*bootgate-no-such\.sock \(ENOENT\): boot timed out/);
  });

  it('fails at once on an error other than "not listening yet"', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bootgate-gdb-'));
    try {
      const file = path.join(dir, 'plain-file');
      await writeFile(file, '');
      // a path through a regular file: ENOTDIR, which waiting will not fix
      await expect(GdbRemote.connect({ path: path.join(file, 'gdb.sock') }, AbortSignal.timeout(5000))).rejects.toThrow(
        /gdbstub: cannot connect to .*plain-file\/gdb\.sock: .*ENOTDIR/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The QMP client shares the connect logic above; its protocol checks live here too.
describe('QmpClient against a fake QMP server', () => {
  it('reads the greeting, negotiates, matches replies by id across events, and reports errors', async () => {
    const received: Record<string, unknown>[] = [];
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      socket.write('{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}}, "capabilities": []}}\r\n');
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffer.indexOf('\n')) !== -1) {
          const message = JSON.parse(buffer.slice(0, newline)) as { execute: string; id: string };
          buffer = buffer.slice(newline + 1);
          received.push(message);
          if (message.execute === 'qmp_capabilities') socket.write(`{"return": {}, "id": "${message.id}"}\r\n`);
          else if (message.execute === 'query-replay') {
            // an event first, and the reply split in two writes
            socket.write(
              '{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}\r\n{"return": {"icount": 1760',
            );
            socket.write(`31822, "mode": "none"}, "id": "${message.id}"}\r\n`);
          } else
            socket.write(
              `{"error": {"class": "CommandNotFound", "desc": "The command ${message.execute} has not been found"}, "id": "${message.id}"}\r\n`,
            );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = await QmpClient.connect(
      { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
      AbortSignal.timeout(5000),
    );
    try {
      expect(await client.icount()).toBe(176031822n);
      expect(client.events.map((e) => e.event)).toEqual(['STOP']);
      const failure = client.execute('no-such-command');
      await expect(failure).rejects.toBeInstanceOf(QmpError);
      await expect(failure).rejects.toThrow(
        /QMP no-such-command failed: CommandNotFound: The command no-such-command has not been found/,
      );
      expect(received.map((m) => m.execute)).toEqual(['qmp_capabilities', 'query-replay', 'no-such-command']);
      expect(new Set(received.map((m) => m.id)).size).toBe(3);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await expect(client.execute('query-replay')).rejects.toThrow(/QMP connection closed/);
  });
});
