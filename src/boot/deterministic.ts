/**
 * Deterministic mode: counts the guest instructions executed between two code locations (by
 * default the ELF entry point and `accept`) instead of timing serial lines. QEMU runs with
 * -icount (one virtual ns per instruction, no sleeping, no alignment to the host clock) and
 * starts paused (-S); a gdbstub breakpoint stops the guest at each location, and QMP
 * `query-replay` reads the instruction counter while it is stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BootInstrument, InstrumentRecord } from './boot-once.js';
import { GdbRemote, SIGTRAP, type StopReply } from './gdb-remote.js';
import { abortReason, QmpClient } from './qmp.js';
import { elfEntry, readElfSymbols } from '../elf/index.js';

export const DEFAULT_READY_SYMBOL = 'accept';

/**
 * QEMU arguments that make the instruction count exact and repeatable: -icount, and an RTC that
 * starts at a fixed date and runs on the virtual clock (by default it starts at the host's time
 * and ticks, and interrupts, on the host clock). The -icount value is completed per boot by
 * `icountArgs` (record mode needs the boot's own file).
 */
export const ICOUNT_OPTIONS = 'shift=0,sleep=off,align=off';
export const RTC_ARGS = ['-rtc', 'base=2000-01-01T00:00:00,clock=vm'] as const;

/**
 * -icount in record mode. Without it, when the guest idles (`hlt`), QEMU's main-loop thread
 * warps the virtual clock to the next timer from an instruction counter that the vCPU thread
 * may not have updated yet for the block it is running: under host load a boot then counts a
 * timer tick more or less (Embox's `sleep(1)`). In record mode the vCPU thread holds the replay
 * lock while it runs a block, so the warp always sees the count of whole blocks. The log it
 * writes (the events QEMU saw, ~70 KB for Embox) is never replayed: it lives in the boot's
 * private folder and goes with it.
 */
export function icountArgs(recordFile: string): string[] {
  return ['-icount', `${ICOUNT_OPTIONS},rr=record,rrfile=${qemuOptionValue(recordFile)}`, ...RTC_ARGS];
}

/**
 * No default devices (QEMU's empty IDE CD-ROM, floppy, parallel port): with the CD-ROM, 3 to 5
 * Embox boots in 20 counted ~32,500 instructions less in its IDE probe and what follows; with
 * -nodefaults none in 64 (docs/deterministic.md). bootgate names the serial port, display,
 * monitor and NIC it wants explicitly.
 */
export const NO_DEFAULT_DEVICES = ['-nodefaults'] as const;

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
  /** attributes the count to the guest's modules (e.g. Embox's units); none: only the total */
  modules?: ModuleProbe;
}

/** Guest state a module probe may read while the guest is stopped at its entry symbol. */
export interface StoppedGuest {
  /** the stack pointer: at a function's entry it points at the return address */
  sp: bigint;
  /** bytes of guest memory */
  read(address: bigint, length: number): Promise<Buffer>;
}

/**
 * Counts each module's share: a breakpoint on `symbol`, a function the guest calls once per
 * module (Embox: `unit_mod_enable`), and `describe` says, at its entry, which module the call
 * is for and where it returns (null: a call to skip). The module's count runs from the entry
 * to that return, minus the counts of modules whose calls nest inside it.
 */
export interface ModuleProbe {
  symbol: string;
  describe(guest: StoppedGuest): Promise<{ name: string; returnAddress: bigint } | null>;
}

const MAX_NAME = 256;

/** A NUL-terminated name in guest memory (letters, digits, `.`, `_`, `-`); `what` names it in errors. */
export async function readGuestName(guest: StoppedGuest, address: bigint, what: string): Promise<string> {
  let text = '';
  while (text.length < MAX_NAME) {
    const chunk = await guest.read(address + BigInt(text.length), 64);
    const end = chunk.indexOf(0);
    text += chunk.subarray(0, end === -1 ? chunk.length : end).toString('latin1');
    if (end !== -1) break;
  }
  if (!/^[\w.-]+$/.test(text)) throw new Error(`${what} at 0x${address.toString(16)} is not a name ("${text.slice(0, 40)}")`);
  return text;
}

/** One module's share of the count. */
export interface ModuleCount {
  name: string;
  instructions: number;
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

/** One boot's private folder: the gdb and QMP sockets and the record-mode log. */
interface BootFiles {
  dir: string;
  gdb: string;
  qmp: string;
  record: string;
}

/**
 * A fresh folder under the system temp folder: short enough for a unix socket's path (unless
 * TMPDIR itself is very long, which QEMU then reports), and nobody else's.
 */
function bootFiles(): BootFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'bootgate-det-'));
  const files = { dir, gdb: path.join(dir, 'gdb.sock'), qmp: path.join(dir, 'qmp.sock'), record: path.join(dir, 'replay.bin') };
  if (Buffer.byteLength(files.gdb) > MAX_SOCKET_PATH) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`deterministic mode: the temp folder ${dir} is too long a path for a unix socket; set TMPDIR to a shorter one`);
  }
  return files;
}

async function removeBootFiles(files: BootFiles): Promise<void> {
  await rm(files.dir, { recursive: true, force: true });
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

/** Where the stub keeps the stack and instruction pointers and the flags (gdb's register numbers). */
interface RegisterLayout {
  sp: number;
  pc: number;
  flags: number;
}

/** x86 only (null: another architecture, whose stub gives no `<architecture>` we know). */
async function registerLayout(gdb: GdbRemote): Promise<RegisterLayout | null> {
  const xml = await gdb.targetDescription();
  const arch = /<architecture>([^<]+)<\/architecture>/.exec(xml)?.[1] ?? '';
  if (arch === 'i386:x86-64') return { sp: 7, pc: 16, flags: 17 }; // rsp, rip, eflags (qemu-system-x86_64)
  if (arch === 'i386' || arch === 'i386:intel') return { sp: 4, pc: 8, flags: 9 }; // esp, eip, eflags
  return null;
}

const INTERRUPT_FLAG = 1n << 9n;
/** x86 instructions that read or write the interrupt flag, trap, or halt: stepped as they are. */
const FLAG_OPCODES = new Set([0x9c, 0x9d, 0xcf, 0xfa, 0xfb, 0xf4, 0xcc, 0xcd, 0xce]);
const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

/**
 * Executes the one instruction at a breakpoint's address (continuing from there would stop again
 * at once). In record mode QEMU's single step lets interrupts in, and every stop moves the
 * virtual clock to the next timer deadline (docs/deterministic.md), so a timer interrupt may be
 * due: the step enters its handler, whose return lands on the breakpoint again, which stops,
 * moves the clock, and so on (Embox, after its PIT driver started: forever). So on x86 the step
 * runs with the interrupt flag cleared, set again after it: the instruction runs, and the
 * interrupt comes right after, as without record mode. Instructions that read or change that
 * flag are stepped as they are.
 */
async function stepOff(gdb: GdbRemote, layout: RegisterLayout | null, pc: bigint): Promise<StopReply> {
  if (!layout) return gdb.step();
  const flags = await gdb.readRegister(layout.flags);
  if ((flags & INTERRUPT_FLAG) === 0n) return gdb.step();
  // byte by byte (an instruction may end just before an unmapped page); 15 bytes at most
  let opcode = 0;
  for (let at = 0n; at < 15n; at++) {
    opcode = (await gdb.readMemory(pc + at, 1))[0]!;
    if (!PREFIXES.has(opcode) && !(layout.pc === 16 && opcode >= 0x40 && opcode <= 0x4f)) break;
  }
  if (FLAG_OPCODES.has(opcode)) return gdb.step();
  await gdb.writeRegister(layout.flags, flags & ~INTERRUPT_FLAG, 4);
  const stop = await gdb.step();
  if (stop.kind === 'signal') await gdb.writeRegister(layout.flags, (await gdb.readRegister(layout.flags)) | INTERRUPT_FLAG, 4);
  return stop;
}

/**
 * Runs the guest until it has arrived `location.hit` times at `location.address`. `pc` is
 * where the guest stands now (null: unknown, e.g. not started): a breakpoint on the current
 * instruction would fire again at once, so we step off it first.
 */
async function runTo(gdb: GdbRemote, location: BreakLocation, pc: bigint | null): Promise<void> {
  let layout: RegisterLayout | null | undefined;
  for (let arrival = 1; arrival <= location.hit; arrival++) {
    if (pc === location.address) {
      layout ??= await registerLayout(gdb);
      checkStop(await stepOff(gdb, layout, pc), location, arrival);
    }
    const type = await gdb.insertBreakpoint(location.address);
    const stop = await gdb.continue();
    checkStop(stop, location, arrival);
    await gdb.removeBreakpoint(location.address, type);
    pc = location.address;
  }
}

interface Frame {
  name: string;
  returnAddress: bigint;
  /** the stack pointer once the call has returned */
  spAfter: bigint;
}

/**
 * From the start location (where the guest stands) to the ready location, with a stop at every
 * call of the probe's symbol and at each such call's return: the count between two stops goes
 * to the module innermost at that moment, or to nobody. Returns the per-module counts in the
 * order the modules were first entered, and the count at the ready location.
 */
async function runToReadyByModule(
  gdb: GdbRemote,
  qmp: QmpClient,
  ready: BreakLocation,
  probe: ModuleProbe,
  entry: bigint,
  from: { pc: bigint; icount: bigint },
): Promise<{ atReady: bigint; modules: ModuleCount[] }> {
  const layout = await registerLayout(gdb);
  if (!layout) throw new Error('per-module counts need an x86 guest (the gdbstub reports another architecture)');
  const breakpoints = new Map<bigint, 'Z0' | 'Z1'>();
  const place = async (address: bigint): Promise<void> => {
    if (!breakpoints.has(address)) breakpoints.set(address, await gdb.insertBreakpoint(address));
  };
  await place(ready.address);
  await place(entry);
  const totals = new Map<string, bigint>();
  const stack: Frame[] = [];
  let mark = from.icount;
  const charge = (now: bigint): void => {
    const top = stack.at(-1);
    if (top) totals.set(top.name, (totals.get(top.name) ?? 0n) + (now - mark));
    mark = now;
  };
  let pc = from.pc;
  let arrivals = 0;
  for (;;) {
    // Continuing from a breakpoint's own address stops there again at once: step off it first.
    const stop = breakpoints.has(pc) ? await stepOff(gdb, layout, pc) : await gdb.continue();
    checkStop(stop, ready, arrivals + 1);
    pc = await gdb.readRegister(layout.pc);
    if (!breakpoints.has(pc)) continue; // a step that ended on ordinary code
    const now = await qmp.icount();
    if (pc === ready.address && ++arrivals === ready.hit) {
      charge(now);
      for (const [address, type] of breakpoints) await gdb.removeBreakpoint(address, type);
      return { atReady: now, modules: [...totals].map(([name, count]) => ({ name, instructions: Number(count) })) };
    }
    const sp = await gdb.readRegister(layout.sp);
    const top = stack.at(-1);
    if (top && pc === top.returnAddress && sp === top.spAfter) {
      charge(now);
      stack.pop();
    }
    if (pc === entry) {
      const call = await probe.describe({ sp, read: (address, length) => gdb.readMemory(address, length) });
      if (call) {
        charge(now);
        const spAfter = sp + (layout.sp === 7 ? 8n : 4n);
        stack.push({ name: call.name, returnAddress: call.returnAddress, spAfter });
        if (!totals.has(call.name)) totals.set(call.name, 0n);
        await place(call.returnAddress);
      }
    }
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
  const probe = options.modules;
  // An image without the probe's symbol (another version of the OS) still gets its total.
  const probeEntry = probe ? (symbols.get(probe.symbol) ?? null) : null;

  // args() and attach() of one boot are paired through its workDir.
  const pending = new Map<string, BootFiles>();

  return {
    args(workDir: string): string[] {
      const stale = pending.get(workDir);
      if (stale) void removeBootFiles(stale);
      const sockets = bootFiles();
      pending.set(workDir, sockets);
      return [
        ...icountArgs(sockets.record),
        ...NO_DEFAULT_DEVICES,
        '-S',
        '-gdb', `unix:${qemuOptionValue(sockets.gdb)},server=on,wait=off`,
        '-qmp', `unix:${qemuOptionValue(sockets.qmp)},server=on,wait=off`,
      ];
    },

    async attach({ signal, workDir }): Promise<InstrumentRecord> {
      const sockets = pending.get(workDir);
      if (!sockets) throw new Error(`deterministic mode: attach() for ${workDir} without args() first`);
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
        let atReady: bigint;
        let modules: ModuleCount[] | null = null;
        if (probe && probeEntry !== null) {
          ({ atReady, modules } = await runToReadyByModule(g, q, ready, probe, probeEntry, { pc: start.address, icount: atStart }));
        } else {
          await runTo(g, ready, start.address);
          atReady = await q.icount();
        }
        const instructions = atReady - atStart;
        if (instructions < 0n) throw new Error(`deterministic mode: instruction counter went backwards (${atStart} → ${atReady})`);
        return { instructions: Number(instructions), modules };
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(
          `deterministic mode (start ${start.spec}, ready ${ready.spec}): ${message}` +
            (signal.aborted ? ` [boot ended: ${abortReason(signal)}]` : ''),
        );
      } finally {
        gdb?.close();
        qmp?.close();
      }
    },

    async release(workDir: string): Promise<void> {
      const files = pending.get(workDir);
      pending.delete(workDir);
      if (files) await removeBootFiles(files);
    },
  };
}
