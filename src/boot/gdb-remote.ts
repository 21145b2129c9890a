/**
 * A minimal client of the GDB remote serial protocol, enough to drive QEMU's gdbstub:
 * breakpoints, continue, single step, stop replies. One request is outstanding at a time (the
 * protocol is strictly request/reply); incoming bytes are parsed as they arrive.
 */
import net from 'node:net';
import { connectWhenListening, type SocketAddress } from './qmp.js';
import { encodePacket, PacketParser, type ParsedEvent, parseStopReply, type StopReply } from './gdb-packets.js';

interface Waiter {
  resolve: (data: string) => void;
  reject: (error: Error) => void;
  /** skip packets that are not the reply (e.g. `O` console output while running) */
  accept: (data: string) => boolean;
}

export class GdbRemote {
  private readonly parser: PacketParser;
  private waiter: Waiter | null = null;
  /** the last packet sent, for a retransmission on `-` while acks are on */
  private lastSent: Buffer | null = null;
  private acks = true;
  private closedError: Error | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** the stub's `qSupported` features */
  features = new Map<string, string>();

  private constructor(private readonly socket: net.Socket) {
    this.parser = new PacketParser((event) => this.onEvent(event));
    // Small request/reply packets: Nagle's algorithm would hold each one back ~40 ms over TCP.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.parser.push(chunk));
    const onGone = (error?: Error): void => {
      if (this.closedError) return;
      this.closedError = new Error(`gdbstub connection closed${error ? `: ${error.message}` : ''} (did QEMU exit?)`);
      this.waiter?.reject(this.closedError);
      this.waiter = null;
    };
    socket.on('error', onGone);
    socket.on('close', () => onGone());
  }

  /**
   * Connects (retrying until QEMU listens, see connectWhenListening) and negotiates:
   * `qSupported`, then `QStartNoAckMode` when the stub offers it.
   */
  static async connect(address: SocketAddress, signal: AbortSignal): Promise<GdbRemote> {
    const socket = await connectWhenListening(address, signal, 'gdbstub');
    const client = new GdbRemote(socket);
    try {
      const onAbort = (): void => client.close();
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('close', () => signal.removeEventListener('abort', onAbort));
      const supported = await client.request('qSupported:swbreak+;hwbreak+');
      for (const feature of supported.split(';')) {
        const eq = feature.indexOf('=');
        if (eq > 0) client.features.set(feature.slice(0, eq), feature.slice(eq + 1));
        else if (feature.endsWith('+') || feature.endsWith('-'))
          client.features.set(feature.slice(0, -1), feature.slice(-1));
      }
      if (client.features.get('QStartNoAckMode') === '+') {
        const reply = await client.request('QStartNoAckMode');
        if (reply === 'OK') client.acks = false;
      }
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Wraps an already connected socket (tests). */
  static fromSocket(socket: net.Socket): GdbRemote {
    return new GdbRemote(socket);
  }

  get ackMode(): boolean {
    return this.acks;
  }

  /** Sends one packet and resolves with the reply's data. Requests are serialised. */
  request(data: string, accept: (reply: string) => boolean = () => true): Promise<string> {
    const run = (): Promise<string> =>
      new Promise<string>((resolve, reject) => {
        if (this.closedError) {
          reject(this.closedError);
          return;
        }
        this.waiter = { resolve, reject, accept };
        this.lastSent = encodePacket(data);
        this.socket.write(this.lastSent);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private onEvent(event: ParsedEvent): void {
    switch (event.kind) {
      case 'ack':
        return;
      case 'nack':
        if (this.acks && this.lastSent) this.socket.write(this.lastSent);
        return;
      case 'bad-checksum':
        if (this.acks) this.socket.write('-');
        return;
      case 'notification':
        if (this.acks) this.socket.write('+');
        return;
      case 'packet': {
        if (this.acks) this.socket.write('+');
        const waiter = this.waiter;
        if (!waiter || !waiter.accept(event.data)) return;
        this.waiter = null;
        this.lastSent = null;
        waiter.resolve(event.data);
        return;
      }
    }
  }

  /** Resolves on a stop reply; console output (`O…`) packets in between are skipped. */
  private async stopRequest(data: string): Promise<StopReply> {
    const reply = await this.request(data, (packet) => parseStopReply(packet) !== null || packet.startsWith('E'));
    const stop = parseStopReply(reply);
    if (!stop) throw new Error(`gdbstub answered "${data}" with "${reply}", not a stop reply`);
    return stop;
  }

  /** `?`: why the target is stopped now. */
  haltReason(): Promise<StopReply> {
    return this.stopRequest('?');
  }

  /** `c`: resumes and resolves when the target stops again. */
  continue(): Promise<StopReply> {
    return this.stopRequest('c');
  }

  /** `s`: executes one instruction. */
  step(): Promise<StopReply> {
    return this.stopRequest('s');
  }

  /**
   * Inserts a breakpoint: software (`Z0`) first, hardware (`Z1`) if the stub does not support
   * software ones. Under TCG both are checked by the translator, neither patches guest memory.
   */
  async insertBreakpoint(address: bigint, kind = 1): Promise<'Z0' | 'Z1'> {
    for (const type of ['Z0', 'Z1'] as const) {
      const reply = await this.request(`${type},${address.toString(16)},${kind}`);
      if (reply === 'OK') return type;
      if (reply !== '') throw new Error(`gdbstub refused breakpoint ${type} at 0x${address.toString(16)}: ${reply}`);
    }
    throw new Error(`gdbstub supports neither software (Z0) nor hardware (Z1) breakpoints`);
  }

  async removeBreakpoint(address: bigint, type: 'Z0' | 'Z1', kind = 1): Promise<void> {
    const reply = await this.request(`z${type.slice(1)},${address.toString(16)},${kind}`);
    if (reply !== 'OK')
      throw new Error(
        `gdbstub could not remove breakpoint ${type} at 0x${address.toString(16)}: ${reply || 'unsupported'}`,
      );
  }

  /** `p`: one register, as the stub's little-endian bytes give it. */
  async readRegister(number: number): Promise<bigint> {
    const reply = await this.request(`p${number.toString(16)}`);
    if (!/^([0-9a-f]{2})+$/i.test(reply))
      throw new Error(`gdbstub could not read register ${number}: ${reply || 'unsupported'}`);
    return Buffer.from(reply, 'hex').reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
  }

  /** `P`: writes one register of `bytes` bytes (little-endian, as the stub keeps it). */
  async writeRegister(number: number, value: bigint, bytes: number): Promise<void> {
    const data = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) data[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    const reply = await this.request(`P${number.toString(16)}=${data.toString('hex')}`);
    if (reply !== 'OK') throw new Error(`gdbstub could not write register ${number}: ${reply || 'unsupported'}`);
  }

  /** `m`: `length` bytes of guest memory at `address` (virtual, as the guest sees it now). */
  async readMemory(address: bigint, length: number): Promise<Buffer> {
    const reply = await this.request(`m${address.toString(16)},${length.toString(16)}`);
    if (!/^([0-9a-f]{2})*$/i.test(reply) || reply.length === 0) {
      throw new Error(`gdbstub could not read ${length} bytes at 0x${address.toString(16)}: ${reply || 'no data'}`);
    }
    return Buffer.from(reply, 'hex');
  }

  /** The stub's target description (`qXfer:features:read:target.xml`), e.g. to learn its register layout. */
  async targetDescription(): Promise<string> {
    let xml = '';
    for (;;) {
      const reply = await this.request(`qXfer:features:read:target.xml:${xml.length.toString(16)},fff`);
      if (reply.startsWith('m')) xml += reply.slice(1);
      else if (reply.startsWith('l')) return xml + reply.slice(1);
      else throw new Error(`gdbstub gave no target description: ${reply || 'unsupported'}`);
    }
  }

  /** Closes the connection; outstanding requests fail. */
  close(): void {
    if (!this.closedError) {
      this.closedError = new Error('gdbstub connection closed by bootgate');
      this.waiter?.reject(this.closedError);
      this.waiter = null;
    }
    this.socket.destroy();
  }
}
