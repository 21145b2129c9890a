import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { trackGroup } from '../boot/children.js';
import { recordRunning } from '../boot/leftovers.js';
import { SerialLineSplitter } from '../boot/serial.js';

/**
 * The one way bootgate runs a build (a custom build command, Embox's make, Rumprun's
 * build-rr.sh): a build forks compilers, make jobs and shells that must not outlive it.
 *  - the command gets its own process group, and the whole group is signalled: SIGTERM on cancel
 *    or timeout, SIGKILL `graceMs` later, and SIGKILL once the command itself has exited (so a
 *    job it left in the background does not keep running, nor keep the output pipe open);
 *  - output goes, byte for byte, to `output` (the log file), and line by line (a line capped at
 *    64 KiB) to `onLine`; the last `tailLines` lines are kept for the error message;
 *  - it never throws: the result says how the command ended, callers word their own errors.
 */
export interface RunProcessOptions {
  file: string;
  args: string[];
  cwd?: string;
  /** added to bootgate's environment (or the whole environment with `extendEnv: false`); undefined removes a variable */
  env?: Record<string, string | undefined>;
  extendEnv?: boolean;
  /** aborting stops the command's whole process group */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** between SIGTERM and SIGKILL of the group; default 5 s */
  graceMs?: number;
  output?: Writable;
  onLine?: (line: string, count: number) => void;
  /** default 40 */
  tailLines?: number;
}

export type ProcessEnd = 'ok' | 'failed' | 'cancelled' | 'timed-out' | 'not-found' | 'not-started';

export interface ProcessResult {
  end: ProcessEnd;
  ok: boolean;
  exitCode: number | null;
  /** the signal that ended the command itself, when one did */
  signal: NodeJS.Signals | null;
  /** what happened, as a sentence ending: "exited with code 2", "was cancelled", … */
  how: string;
  tail: string[];
  lines: number;
  seconds: number;
}

const DEFAULT_GRACE_MS = 5_000;
const DEFAULT_TAIL_LINES = 40;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const began = Date.now();
  const keep = options.tailLines ?? DEFAULT_TAIL_LINES;
  const tail: string[] = [];
  let lines = 0;
  const result = (
    end: ProcessEnd,
    how: string,
    exitCode: number | null = null,
    signal: NodeJS.Signals | null = null,
  ): ProcessResult => ({
    end,
    ok: end === 'ok',
    exitCode,
    signal,
    how,
    tail,
    lines,
    seconds: (Date.now() - began) / 1000,
  });
  if (options.signal?.aborted) return result('cancelled', 'was cancelled before it started');

  const env = options.extendEnv === false ? { ...options.env } : { ...process.env, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  let child;
  try {
    child = spawn(options.file, options.args, {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return result('not-started', `could not be started (${(error as Error).message})`);
  }
  const spawnError = new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) {
    const error = await spawnError;
    return error.code === 'ENOENT'
      ? result('not-found', `could not be started: ${options.file} not found`)
      : result('not-started', `could not be started (${error.message})`);
  }
  const untrack = trackGroup(pid);
  const forget = recordRunning(pid, 'build');
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const onLine = (line: string): void => {
    lines += 1;
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.onLine?.(line, lines);
  };
  const splitters = [new SerialLineSplitter((l) => onLine(l.text)), new SerialLineSplitter((l) => onLine(l.text))];
  [child.stdout, child.stderr].forEach((stream, i) => {
    stream.on('data', (chunk: Buffer) => {
      options.output?.write(chunk);
      splitters[i]!.push(chunk, 0n);
    });
  });

  let stopped: 'cancelled' | 'timed-out' | null = null;
  let killer: NodeJS.Timeout | undefined;
  const stop = (why: 'cancelled' | 'timed-out'): void => {
    if (stopped) return;
    stopped = why;
    killGroup(pid, 'SIGTERM');
    killer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.graceMs ?? DEFAULT_GRACE_MS);
  };
  const timer = options.timeoutMs !== undefined ? setTimeout(() => stop('timed-out'), options.timeoutMs) : undefined;
  const onAbort = (): void => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (code, sig) => resolve([code, sig]));
  });
  // whatever the command left behind in its group goes with it; then the pipes close
  killGroup(pid, 'SIGKILL');
  await closed;
  clearTimeout(timer);
  clearTimeout(killer);
  options.signal?.removeEventListener('abort', onAbort);
  untrack();
  await (
    await forget
  )();
  for (const splitter of splitters) splitter.flush(0n);

  if (stopped === 'cancelled') return result('cancelled', 'was cancelled', exitCode, signal);
  if (stopped === 'timed-out')
    return result(
      'timed-out',
      `did not finish within ${formatDuration(options.timeoutMs!)} and was stopped`,
      exitCode,
      signal,
    );
  if (exitCode === 0) return result('ok', 'succeeded', 0);
  if (signal !== null) return result('failed', `was killed by ${signal}`, null, signal);
  return result('failed', `exited with code ${exitCode}`, exitCode);
}

function formatDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
