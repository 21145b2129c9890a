// Deterministic mode's QEMU arguments (-icount in record mode, fixed RTC, no default devices) and each boot's private files.
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

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

/** sun_path holds 108 bytes on Linux, 104 on macOS; stay clear of both. */
const MAX_SOCKET_PATH = 100;

/** QEMU's option syntax doubles a comma inside a value. */
export function qemuOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/** One boot's private folder: the gdb and QMP sockets and the record-mode log. */
export interface BootFiles {
  dir: string;
  gdb: string;
  qmp: string;
  record: string;
}

/**
 * A fresh folder under the system temp folder: short enough for a unix socket's path (unless
 * TMPDIR itself is very long, which QEMU then reports), and nobody else's.
 */
export function bootFiles(): BootFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'bootgate-det-'));
  const files = {
    dir,
    gdb: path.join(dir, 'gdb.sock'),
    qmp: path.join(dir, 'qmp.sock'),
    record: path.join(dir, 'replay.bin'),
  };
  if (Buffer.byteLength(files.gdb) > MAX_SOCKET_PATH) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `deterministic mode: the temp folder ${dir} is too long a path for a unix socket; set TMPDIR to a shorter one`,
    );
  }
  return files;
}

export async function removeBootFiles(files: BootFiles): Promise<void> {
  await rm(files.dir, { recursive: true, force: true });
}
