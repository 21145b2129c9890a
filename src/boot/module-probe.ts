// Per-module counts: the module probe a guest supplies, and the run to ready that charges each module its share.
import { type BreakLocation, checkStop, registerLayout, stepOff } from './break-location.js';
import type { GdbRemote } from './gdb-remote.js';
import type { QmpClient } from './qmp.js';

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
  if (!/^[\w.-]+$/.test(text))
    throw new Error(`${what} at 0x${address.toString(16)} is not a name ("${text.slice(0, 40)}")`);
  return text;
}

/** One module's share of the count. */
export interface ModuleCount {
  name: string;
  instructions: number;
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
export async function runToReadyByModule(
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
