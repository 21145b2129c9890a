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
      if (state !== 'Z' && /qemu-system-/.test(argv[0] ?? '') && cmdline.includes(needle) && Number(entry) !== process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
