// Code locations (SYMBOL or 0xADDRESS, optionally @N) and running the guest to one over the gdbstub.
import { SIGTRAP, type StopReply } from './gdb-packets.js';
import type { GdbRemote } from './gdb-remote.js';

/** A resolved code location. */
export interface BreakLocation {
  /** as the user wrote it, for messages */
  spec: string;
  address: bigint;
  /** stop on the Nth arrival (1 = first) */
  hit: number;
}

const LOCATION = /^(?<where>[^@\s]+)(?:@(?<hit>\d+))?$/;

/** Resolves `SYMBOL[@N]` or `0xADDR[@N]` against the image's symbols. */
export function resolveLocation(spec: string, symbols: ReadonlyMap<string, bigint>, image: string): BreakLocation {
  const match = LOCATION.exec(spec.trim());
  if (!match?.groups) {
    throw new Error(
      `deterministic mode: "${spec}" is not a code location (expected SYMBOL, 0xADDRESS, optionally followed by @N)`,
    );
  }
  const where = match.groups.where!;
  const hit = match.groups.hit === undefined ? 1 : Number(match.groups.hit);
  if (!Number.isSafeInteger(hit) || hit < 1)
    throw new Error(`deterministic mode: "${spec}": the hit count after @ must be 1 or more`);
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

export function checkStop(stop: StopReply, location: BreakLocation, arrival: number): void {
  if (stop.kind === 'exited') {
    throw new Error(
      `the guest exited (status ${stop.code}) before reaching ${location.spec} (arrival ${arrival} of ${location.hit})`,
    );
  }
  if (stop.kind === 'killed') {
    throw new Error(
      `the guest was terminated (signal ${stop.code}) before reaching ${location.spec} (arrival ${arrival} of ${location.hit})`,
    );
  }
  if (stop.code !== SIGTRAP) {
    throw new Error(
      `the guest stopped with signal ${stop.code} (${stop.raw}) instead of at the breakpoint on ${location.spec}`,
    );
  }
}

/** Where the stub keeps the stack and instruction pointers and the flags (gdb's register numbers). */
export interface RegisterLayout {
  sp: number;
  pc: number;
  flags: number;
}

/** x86 only (null: another architecture, whose stub gives no `<architecture>` we know). */
export async function registerLayout(gdb: GdbRemote): Promise<RegisterLayout | null> {
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
export async function stepOff(gdb: GdbRemote, layout: RegisterLayout | null, pc: bigint): Promise<StopReply> {
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
  if (stop.kind === 'signal')
    await gdb.writeRegister(layout.flags, (await gdb.readRegister(layout.flags)) | INTERRUPT_FLAG, 4);
  return stop;
}

/**
 * Runs the guest until it has arrived `location.hit` times at `location.address`. `pc` is
 * where the guest stands now (null: unknown, e.g. not started): a breakpoint on the current
 * instruction would fire again at once, so we step off it first.
 */
export async function runTo(gdb: GdbRemote, location: BreakLocation, pc: bigint | null): Promise<void> {
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
