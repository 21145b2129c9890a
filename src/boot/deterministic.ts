/**
 * Deterministic mode: counts the guest instructions executed between two code locations (by
 * default the ELF entry point and `accept`) instead of timing serial lines. QEMU runs with
 * -icount (one virtual ns per instruction, no sleeping, no alignment to the host clock) and
 * starts paused (-S); a gdbstub breakpoint stops the guest at each location, and QMP
 * `query-replay` reads the instruction counter while it is stopped.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BootInstrument } from './boot-once.js';
import { GdbRemote, SIGTRAP, type StopReply } from './gdb-remote.js';
import { abortReason, QmpClient } from './qmp.js';
import { elfEntry, readElfSymbols } from '../build/elf-symbols.js';

export const DEFAULT_READY_SYMBOL = 'accept';

/** QEMU arguments that make the instruction count exact and repeatable. */
export const ICOUNT_ARGS = ['-icount', 'shift=0,sleep=off,align=off'] as const;

export interface DeterministicOptions {
  /** the ELF image QEMU boots, with its symbol table */
  image: string;
  /**
   * where counting starts: `SYMBOL` or `0xADDRESS`, optionally `@N` for the Nth time execution
   * reaches it (default: the first). Default: the ELF entry point.
   */
  startSymbol?: string;
  /** where counting stops, same syntax. Default: `accept` (the httpd waits for its first client). */
  readySymbol?: string;
}

/** A resolved code location. */
export interface BreakLocation {
  /** as the user wrote it, for messages */
  spec: string;
  address: bigint;
  /** stop on the Nth arrival (1 = first) */
  hit: number;
}

const LOCATION = /^(?<where>[^@\s]+)(?:@(?<hit>\d+))?$/;
/** sun_path holds 108 bytes on Linux, 104 on macOS; stay clear of both. */
const MAX_SOCKET_PATH = 100;

/** Resolves `SYMBOL[@N]` or `0xADDR[@N]` against the image's symbols. */
export function resolveLocation(spec: string, symbols: ReadonlyMap<string, bigint>, image: string): BreakLocation {
  const match = LOCATION.exec(spec.trim());
  if (!match?.groups) {
    throw new Error(`deterministic mode: "${spec}" is not a code location (expected SYMBOL, 0xADDRESS, optionally followed by @N)`);
  }
  const where = match.groups.where!;
  const hit = match.groups.hit === undefined ? 1 : Number(match.groups.hit);
  if (!Number.isSafeInteger(hit) || hit < 1) throw new Error(`deterministic mode: "${spec}": the hit count after @ must be 1 or more`);
  if (/^0x[0-9a-f]+$/i.test(where)) return { spec, address: BigInt(where), hit };
  const address = symbols.get(where);
  if (address === undefined) {
    const lower = where.toLowerCase();
    const similar = [...symbols.keys()].filter((name) => name.toLowerCase().includes(lower)).slice(0, 8);
    throw new Error(
      `deterministic mode: symbol "${where}" is not in ${image} (${symbols.size} symbols)` +
        (similar.length ? `; similar names: ${similar.join(', ')}` : '') +
        '; choose another with --start-symbol / --ready-symbol',
    );
  }
  return { spec, address, hit };
}

/** QEMU's option syntax doubles a comma inside a value. */
function qemuOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

interface BootSockets {
  gdb: string;
  qmp: string;
  /** a private folder made because workDir's path was too long for a socket, removed after */
  tempDir: string | null;
}

/** Socket paths for one boot: in workDir when the path fits in sun_path, else in a fresh temp folder. */
function bootSockets(workDir: string): BootSockets {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const inWorkDir = path.resolve(workDir);
  const longest = path.join(inWorkDir, `bootgate-gdb-${tag}.sock`);
  if (Buffer.byteLength(longest) <= MAX_SOCKET_PATH) {
    return { gdb: longest, qmp: path.join(inWorkDir, `bootgate-qmp-${tag}.sock`), tempDir: null };
  }
  const tempDir = mkdtempSync(path.join(tmpdir(), 'bootgate-'));
  return { gdb: path.join(tempDir, 'gdb.sock'), qmp: path.join(tempDir, 'qmp.sock'), tempDir };
}

async function removeSockets(sockets: BootSockets): Promise<void> {
  if (sockets.tempDir) await rm(sockets.tempDir, { recursive: true, force: true });
  else await Promise.all([rm(sockets.gdb, { force: true }), rm(sockets.qmp, { force: true })]);
}

function checkStop(stop: StopReply, location: BreakLocation, arrival: number): void {
  if (stop.kind === 'exited') {
    throw new Error(`the guest exited (status ${stop.code}) before reaching ${location.spec} (arrival ${arrival} of ${location.hit})`);
  }
  if (stop.kind === 'killed') {
    throw new Error(`the guest was terminated (signal ${stop.code}) before reaching ${location.spec} (arrival ${arrival} of ${location.hit})`);
  }
  if (stop.code !== SIGTRAP) {
    throw new Error(`the guest stopped with signal ${stop.code} (${stop.raw}) instead of at the breakpoint on ${location.spec}`);
  }
}

/**
 * Runs the guest until it has arrived `location.hit` times at `location.address`. `pc` is
 * where the guest stands now (null: unknown, e.g. not started): a breakpoint on the current
 * instruction would fire again at once, so we step off it first.
 */
async function runTo(gdb: GdbRemote, location: BreakLocation, pc: bigint | null): Promise<void> {
  for (let arrival = 1; arrival <= location.hit; arrival++) {
    if (pc === location.address) checkStop(await gdb.step(), location, arrival);
    const type = await gdb.insertBreakpoint(location.address);
    const stop = await gdb.continue();
    checkStop(stop, location, arrival);
    await gdb.removeBreakpoint(location.address, type);
    pc = location.address;
  }
}

/**
 * The instrument for `bootOnce`: resolves both locations now (so a stripped image or a missing
 * symbol fails before any boot), then per boot adds the -icount/-S/gdbstub/QMP arguments and
 * counts. Its record: `instructions` = guest instructions from start to ready.
 */
export async function deterministicInstrument(options: DeterministicOptions): Promise<BootInstrument> {
  const symbols = await readElfSymbols(options.image);
  const start: BreakLocation = options.startSymbol
    ? resolveLocation(options.startSymbol, symbols, options.image)
    : { spec: `the entry point of ${path.basename(options.image)}`, address: await elfEntry(options.image), hit: 1 };
  const ready = resolveLocation(options.readySymbol ?? DEFAULT_READY_SYMBOL, symbols, options.image);

  // args() and attach() of one boot are paired through its workDir.
  const pending = new Map<string, BootSockets>();

  return {
    args(workDir: string): string[] {
      const stale = pending.get(workDir);
      if (stale) void removeSockets(stale);
      const sockets = bootSockets(workDir);
      pending.set(workDir, sockets);
      return [
        ...ICOUNT_ARGS,
        '-S',
        '-gdb', `unix:${qemuOptionValue(sockets.gdb)},server=on,wait=off`,
        '-qmp', `unix:${qemuOptionValue(sockets.qmp)},server=on,wait=off`,
      ];
    },

    async attach({ signal, workDir }): Promise<Record<string, number | null>> {
      const sockets = pending.get(workDir);
      if (!sockets) throw new Error(`deterministic mode: attach() for ${workDir} without args() first`);
      pending.delete(workDir);
      let gdb: GdbRemote | null = null;
      let qmp: QmpClient | null = null;
      try {
        // One failed connection ends the other's retries too.
        const connectAbort = new AbortController();
        const both = AbortSignal.any([signal, connectAbort.signal]);
        const failFast = <T>(connecting: Promise<T>): Promise<T> =>
          connecting.catch((error: unknown) => {
            connectAbort.abort(error);
            throw error;
          });
        const settled = await Promise.allSettled([
          failFast(GdbRemote.connect({ path: sockets.gdb }, both)),
          failFast(QmpClient.connect({ path: sockets.qmp }, both)),
        ] as const);
        if (settled[0].status === 'fulfilled') gdb = settled[0].value;
        if (settled[1].status === 'fulfilled') qmp = settled[1].value;
        for (const result of settled) if (result.status === 'rejected') throw result.reason;
        const g = gdb!;
        const q = qmp!;

        await g.haltReason(); // QEMU was started with -S: stopped before the first instruction
        await runTo(g, start, null);
        const atStart = await q.icount();
        await runTo(g, ready, start.address);
        const atReady = await q.icount();
        const instructions = atReady - atStart;
        if (instructions < 0n) throw new Error(`deterministic mode: instruction counter went backwards (${atStart} → ${atReady})`);
        return { instructions: Number(instructions) };
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(
          `deterministic mode (start ${start.spec}, ready ${ready.spec}): ${message}` +
            (signal.aborted ? ` [boot ended: ${abortReason(signal)}]` : ''),
        );
      } finally {
        gdb?.close();
        qmp?.close();
        await removeSockets(sockets);
      }
    },
  };
}
