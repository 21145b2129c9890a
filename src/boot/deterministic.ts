/**
 * Deterministic mode: counts the guest instructions executed between two code locations (by
 * default the ELF entry point and `accept`) instead of timing serial lines. QEMU runs with
 * -icount (one virtual ns per instruction, no sleeping, no alignment to the host clock) and
 * starts paused (-S); a gdbstub breakpoint stops the guest at each location, and QMP
 * `query-replay` reads the instruction counter while it is stopped.
 */
import path from 'node:path';
import type { BootInstrument, InstrumentRecord } from './boot-once.js';
import { type BreakLocation, resolveLocation, runTo } from './break-location.js';
import {
  icountArgs,
  NO_DEFAULT_DEVICES,
  qemuOptionValue,
  removeBootFiles,
  bootFiles,
  type BootFiles,
} from './deterministic-qemu.js';
import { GdbRemote } from './gdb-remote.js';
import { type ModuleCount, type ModuleProbe, runToReadyByModule } from './module-probe.js';
import { abortReason, QmpClient } from './qmp.js';
import { elfEntry, readElfSymbols } from '../elf/index.js';

export const DEFAULT_READY_SYMBOL = 'accept';

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
        '-gdb',
        `unix:${qemuOptionValue(sockets.gdb)},server=on,wait=off`,
        '-qmp',
        `unix:${qemuOptionValue(sockets.qmp)},server=on,wait=off`,
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
          ({ atReady, modules } = await runToReadyByModule(g, q, ready, probe, probeEntry, {
            pc: start.address,
            icount: atStart,
          }));
        } else {
          await runTo(g, ready, start.address);
          atReady = await q.icount();
        }
        const instructions = atReady - atStart;
        if (instructions < 0n)
          throw new Error(`deterministic mode: instruction counter went backwards (${atStart} → ${atReady})`);
        return { instructions: Number(instructions), modules };
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(
          `deterministic mode (start ${start.spec}, ready ${ready.spec}): ${message}` +
            (signal.aborted ? ` [boot ended: ${abortReason(signal)}]` : ''),
          { cause: error },
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
