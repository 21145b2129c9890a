// The one way bootgate runs git: no shell, stdin closed (git never waits for a password or an
// editor), bounded by a timeout that stops git and whatever it started (a remote helper, an
// alias's shell), and a result that says how it went instead of throwing.
import { spawn } from 'node:child_process';
import { trackGroup } from '../boot/children.js';

export interface GitOptions {
  /** the repository (git -C); default the current folder */
  cwd?: string;
  /** stopped after this long; default 60 s (clones and fetches pass more) */
  timeoutMs?: number;
}

export interface GitResult {
  ok: boolean;
  /** trimmed */
  stdout: string;
  /** trimmed */
  stderr: string;
  /** for error messages, when not ok: git's first stderr lines, else how it ended ("timed out after 60 s", "exit code 128") */
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** git must fail rather than ask */
const NO_PROMPT_ENV = { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

interface RawResult {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
  reason: string;
}

/** git in its own process group, so a timeout stops everything it started and nothing outlives it. */
async function runGit(args: readonly string[], options: GitOptions): Promise<RawResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fullArgs = options.cwd ? ['-C', options.cwd, ...args] : [...args];
  const child = spawn('git', fullArgs, {
    env: { ...process.env, ...NO_PROMPT_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) {
    const error = await spawnError;
    return { ok: false, stdout: Buffer.alloc(0), stderr: '', reason: `git could not be started (${error.message})` };
  }
  const untrack = trackGroup(pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(pid, 'SIGKILL');
  }, timeoutMs);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  // whatever git left running in its group (and holding the pipes) goes with it
  killGroup(pid, 'SIGKILL');
  await closed;
  clearTimeout(timer);
  untrack();
  const stderr = Buffer.concat(err).toString().trim();
  const ok = code === 0 && !timedOut;
  let reason = '';
  if (!ok) {
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    reason = timedOut
      ? `timed out after ${timeoutMs / 1000} s`
      : lines.length > 0
        ? lines.slice(0, 5).join('\n')
        : code !== null
          ? `exit code ${code}`
          : `killed by ${signal}`;
  }
  return { ok, stdout: Buffer.concat(out), stderr, reason };
}

/** Runs `git args` and returns its output as text. */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const r = await runGit(args, options);
  return { ok: r.ok, stdout: r.stdout.toString().trim(), stderr: r.stderr, reason: r.reason };
}

/** Runs `git args` and returns its output as bytes (diffs, -z lists), as git wrote them. */
export async function gitBytes(
  args: readonly string[],
  options: GitOptions = {},
): Promise<{ ok: boolean; stdout: Buffer }> {
  const r = await runGit(args, options);
  return { ok: r.ok, stdout: r.stdout };
}

export class GitError extends Error {
  override readonly name = 'GitError';
}

/** Runs `git args`; its trimmed stdout, or a GitError naming the command, the folder and git's own words. */
export async function gitOutput(args: readonly string[], options: GitOptions = {}): Promise<string> {
  const r = await git(args, options);
  if (!r.ok) throw new GitError(`git ${args.join(' ')} failed${options.cwd ? ` in ${options.cwd}` : ''}: ${r.reason}`);
  return r.stdout;
}
