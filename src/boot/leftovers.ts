import { readdir, readFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bootgateCacheDir } from '../config/cache-dir.js';

/**
 * QEMU must not outlive bootgate, even when bootgate dies by SIGKILL or the out-of-memory killer
 * (no exit handler runs then). Two layers:
 *  1. every QEMU is started under util-linux `setpriv --pdeathsig KILL`: the kernel kills it when
 *     the thread that forked it dies. Node forks children from its main thread (libuv's spawn
 *     runs on the event loop), which lives as long as the process, so "thread" means "process".
 *  2. every QEMU is written into <cache>/running/ while it runs; a later bootgate kills the ones
 *     whose owner is gone (after checking, by start time and command line, that the pid is still
 *     that QEMU) — for machines without setpriv and for the moment between fork and prctl.
 * Builds get layer 2 only (a death signal would reach the build's first process, not the make
 * jobs below it): their process group is recorded, and killed by a later bootgate while its
 * leader is still the process bootgate started (same start time).
 */

const SETPRIV_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
let setprivPath: string | null | undefined;

function onPath(name: string, extra: string[] = []): string | null {
  if (name.includes('/')) return existsSync(name) ? name : null;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extra];
  return dirs.map((d) => path.join(d, name)).find((f) => existsSync(f)) ?? null;
}

/**
 * The command that runs `file args` and dies with bootgate. Unchanged when setpriv is missing,
 * or when `file` is not found (so that the spawn error names it, not setpriv).
 */
export function dieWithParent(file: string, args: string[]): { file: string; args: string[] } {
  if (setprivPath === undefined) setprivPath = onPath('setpriv', SETPRIV_DIRS);
  if (setprivPath === null || onPath(file) === null) return { file, args };
  return { file: setprivPath, args: ['--pdeathsig', 'KILL', '--', file, ...args] };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null when gone. */
export async function processStartTime(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); a zombie is as good as gone
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

type RunningKind = 'qemu' | 'build';

interface RunningEntry {
  kind?: RunningKind;
  pid: number;
  startTime: string;
  owner: number;
  ownerStartTime: string;
}

export function runningDir(): string {
  return path.join(bootgateCacheDir(), 'running');
}

/**
 * Records a QEMU (or the process group of a build, led by `pid`) this process started; returns
 * the function that forgets it once it is reaped.
 */
export async function recordRunning(pid: number, kind: RunningKind = 'qemu'): Promise<() => Promise<void>> {
  const [startTime, ownerStartTime] = await Promise.all([processStartTime(pid), processStartTime(process.pid)]);
  if (startTime === null || ownerStartTime === null) return () => Promise.resolve();
  const dir = runningDir();
  const file = path.join(dir, `${kind}-${pid}.json`);
  const entry: RunningEntry = { kind, pid, startTime, owner: process.pid, ownerStartTime };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, JSON.stringify(entry));
  } catch {
    // a read-only cache: setpriv alone has to do
    return () => Promise.resolve();
  }
  return () => rm(file, { force: true });
}

async function isQemu(pid: number): Promise<boolean> {
  try {
    const argv0 = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
    return path.basename(argv0).startsWith('qemu-system-');
  } catch {
    return false;
  }
}

/**
 * Kills every QEMU (and build process group) recorded by a bootgate that is no longer running,
 * and forgets it. Entries of a live bootgate (another run in parallel) are left alone. Returns
 * the pids killed.
 */
export async function sweepLeftoverProcesses(log?: (line: string) => void): Promise<number[]> {
  const dir = runningDir();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^(qemu|build)-\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let entry: RunningEntry;
    try {
      entry = JSON.parse(await readFile(file, 'utf8')) as RunningEntry;
    } catch {
      await rm(file, { force: true });
      continue;
    }
    if ((await processStartTime(entry.owner)) === entry.ownerStartTime) continue;
    const build = entry.kind === 'build';
    if ((await processStartTime(entry.pid)) === entry.startTime && (build || (await isQemu(entry.pid)))) {
      try {
        process.kill(build ? -entry.pid : entry.pid, 'SIGKILL');
        killed.push(entry.pid);
        log?.(
          `bootgate: killed ${build ? 'the build process group' : 'QEMU'} ${entry.pid}, left running by an earlier bootgate (pid ${entry.owner}) that died`,
        );
      } catch {
        // gone meanwhile
      }
    }
    await rm(file, { force: true });
  }
  return killed;
}

let swept: Promise<unknown> | null = null;

/** sweepLeftoverProcesses, once per process. */
export function sweepLeftoverProcessesOnce(log?: (line: string) => void): Promise<unknown> {
  swept ??= sweepLeftoverProcesses(log).catch(() => []);
  return swept;
}
