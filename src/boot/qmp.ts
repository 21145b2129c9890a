/**
 * A QMP (QEMU Machine Protocol) client: newline-delimited JSON over a socket. Reads the
 * greeting, negotiates capabilities, then runs commands matched to replies by id.
 */
import net from 'node:net';

export type SocketAddress = { path: string } | { host: string; port: number };

const CONNECT_RETRY_MS = 10;

function describe(address: SocketAddress): string {
  return 'path' in address ? address.path : `${address.host}:${address.port}`;
}

/**
 * Connects to a socket QEMU is about to listen on. QEMU creates its listening sockets while it
 * starts up, after we spawned it, so "no such file" and "refused" mean "not yet": retry every
 * 10 ms until it answers or `signal` aborts (the boot's timeout, QEMU's exit, the user).
 */
export function connectWhenListening(address: SocketAddress, signal: AbortSignal, what: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    let socket: net.Socket | null = null;
    let lastError = 'no attempt yet';
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      socket?.destroy();
      reject(new Error(`${what}: gave up connecting to ${describe(address)} (${lastError}): ${abortReason(signal)}`));
    };
    const attempt = (): void => {
      timer = null;
      const candidate = 'path' in address ? net.connect(address.path) : net.connect(address.port, address.host);
      socket = candidate;
      candidate.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        candidate.removeAllListeners('error');
        resolve(candidate);
      });
      candidate.once('error', (error: NodeJS.ErrnoException) => {
        candidate.destroy();
        socket = null;
        lastError = error.code ?? error.message;
        if (signal.aborted) return;
        if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
          timer = setTimeout(attempt, CONNECT_RETRY_MS);
          return;
        }
        signal.removeEventListener('abort', onAbort);
        reject(new Error(`${what}: cannot connect to ${describe(address)}: ${error.message}`));
      });
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    attempt();
  });
}

export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  switch (typeof reason) {
    case 'string':
      return reason;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${reason}`;
    default:
      return (reason === undefined ? undefined : JSON.stringify(reason)) ?? 'aborted';
  }
}

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${desc}`);
  }
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private greetingWaiter: { resolve: (greeting: unknown) => void; reject: (error: Error) => void } | null = null;
  private greeting: unknown = null;
  private closedError: Error | null = null;
  /** asynchronous events QEMU sent (e.g. STOP, RESUME, SHUTDOWN), newest last */
  readonly events: { event: string; data?: unknown }[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true); // TCP: do not hold small commands back (Nagle)
    socket.on('data', (chunk: string) => this.onData(chunk));
    const onGone = (error?: Error): void => {
      if (this.closedError) return;
      this.failAll(new Error(`QMP connection closed${error ? `: ${error.message}` : ''} (did QEMU exit?)`));
    };
    socket.on('error', onGone);
    socket.on('close', () => onGone());
  }

  /** Connects (retrying until QEMU listens), reads the greeting and sends `qmp_capabilities`. */
  static async connect(address: SocketAddress, signal: AbortSignal): Promise<QmpClient> {
    const socket = await connectWhenListening(address, signal, 'QMP');
    const client = new QmpClient(socket);
    const onAbort = (): void => client.close();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', onAbort));
    try {
      await client.waitGreeting();
      await client.execute('qmp_capabilities');
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Wraps an already connected socket (tests); call `waitGreeting` and `qmp_capabilities` yourself. */
  static fromSocket(socket: net.Socket): QmpClient {
    return new QmpClient(socket);
  }

  waitGreeting(): Promise<unknown> {
    if (this.greeting !== null) return Promise.resolve(this.greeting);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.greetingWaiter = { resolve, reject };
    });
  }

  /** Runs a command; resolves with its `return` value, rejects with a QmpError on `error`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `bootgate-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /** The guest's instruction count so far (`query-replay`; QEMU fills `icount` whenever -icount is on). */
  async icount(): Promise<bigint> {
    const reply = await this.execute<{ mode?: string; icount?: number }>('query-replay');
    if (typeof reply.icount !== 'number' || !Number.isSafeInteger(reply.icount)) {
      throw new Error(
        `QMP query-replay gave no instruction count (${JSON.stringify(reply)}): is QEMU running with -icount?`,
      );
    }
    return BigInt(reply.icount);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.failAll(new Error(`QMP sent something that is not JSON: ${line.slice(0, 200)}`));
      this.socket.destroy();
      return;
    }
    if ('QMP' in message) {
      this.greeting = message;
      this.greetingWaiter?.resolve(message);
      this.greetingWaiter = null;
      return;
    }
    if (typeof message.event === 'string') {
      this.events.push({ event: message.event, data: message.data });
      return;
    }
    const id = typeof message.id === 'string' ? message.id : null;
    const pending = id === null ? undefined : this.pending.get(id);
    if (!pending) return; // a reply to a command we did not send with an id: ignore
    this.pending.delete(id!);
    if ('error' in message) {
      const error = message.error as { class?: string; desc?: string };
      pending.reject(new QmpError(pending.command, error.class ?? 'unknown', error.desc ?? ''));
    } else {
      pending.resolve(message.return);
    }
  }

  private failAll(error: Error): void {
    this.closedError = error;
    this.greetingWaiter?.reject(error);
    this.greetingWaiter = null;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  close(): void {
    if (!this.closedError) this.failAll(new Error('QMP connection closed by bootgate'));
    this.socket.destroy();
  }
}
