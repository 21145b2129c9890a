import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/**
 * PIDs of live QEMU processes whose command line mentions `needle` (read from /proc, no ps
 * parsing). Only QEMU counts: bootgate's own command line names the same kernel.
 */
export async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      const cmdline = argv.join(' ');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (
        state !== 'Z' &&
        /qemu-system-/.test(argv[0] ?? '') &&
        cmdline.includes(needle) &&
        Number(entry) !== process.pid
      )
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export interface CpuHog {
  pid: number;
  /** kills the hog and waits until it is gone */
  stop(): Promise<void>;
}

/**
 * One process spinning on a CPU for at most `maxMs` (it ends by itself even if a test forgets to
 * stop it): a busy neighbour on the other core of a 2-core machine, as a shared CI runner has.
 */
export function startCpuHog(maxMs: number): CpuHog {
  const child = spawn(
    process.execPath,
    ['-e', `const end = Date.now() + ${Math.round(maxMs)}; while (Date.now() < end) {}`],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
