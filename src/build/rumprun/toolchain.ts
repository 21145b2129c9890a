import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { git } from '../git.js';
import { runProcess } from '../process-runner.js';
import { buildRrArgs, parseGccMajor, rumprunBuildEnv, type RumprunBuildOverrides } from './flags.js';

/**
 * Builds (or reuses) the Rumprun hw toolchain of a checkout: build-rr.sh compiles the NetBSD
 * rump kernel, libc and the app tools, then installs x86_64-rumprun-netbsd-gcc and rumprun-bake
 * into <dest>/bin.
 */
export const RUMPRUN_TOOL_TUPLE = 'x86_64-rumprun-netbsd';
/** the submodules build-rr.sh needs (paths from rumprun's .gitmodules) */
export const RUMPRUN_SUBMODULES = ['src-netbsd', 'buildrump.sh'] as const;
/** written into the install dir after a successful build, to tell later runs what it was built from */
const STAMP_FILE = '.bootgate-toolchain.json';
/**
 * written into the install dir before build-rr.sh starts and removed with the stamp's writing: a
 * folder that has it was left by a build that did not finish (killed, cancelled, failed), even
 * when its bin/ already holds the tools (build-rr.sh installs them before it is done)
 */
const BUILDING_FILE = '.bootgate-building';
const LOG_TAIL_LINES = 40;

export interface RumprunToolchain {
  /** the install dir's bin/ */
  binDir: string;
  /** x86_64-rumprun-netbsd-gcc */
  gcc: string;
  /** rumprun-bake */
  bake: string;
  /** false when an existing toolchain was reused */
  built: boolean;
}

export interface EnsureToolchainOptions {
  /** the Rumprun checkout (holds build-rr.sh) */
  source: string;
  /** progress lines for the user */
  log: (line: string) => void;
  /** install dir (build-rr.sh -d); default <source>/rumprun, build-rr.sh's own default on master */
  cacheDir?: string;
  /** build-rr.sh output goes here; default <install dir>.build.log */
  logFile?: string;
  jobs?: number;
  /** host C compiler build-rr.sh uses (its $CC); default "cc" */
  cc?: string;
  overrides?: RumprunBuildOverrides;
  /** kill the build after this long; default 60 min */
  timeoutMs?: number;
  /** aborting stops build-rr.sh and every make below it */
  signal?: AbortSignal;
}

export class RumprunToolchainError extends Error {
  override readonly name = 'RumprunToolchainError';
  /** `inputError`: the source the user named is not a usable checkout (CLI exit 2, see isInputError) */
  constructor(
    message: string,
    readonly inputError = false,
  ) {
    super(message);
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

export function toolchainPaths(installDir: string): Omit<RumprunToolchain, 'built'> {
  const binDir = path.join(installDir, 'bin');
  return { binDir, gcc: path.join(binDir, `${RUMPRUN_TOOL_TUPLE}-gcc`), bake: path.join(binDir, 'rumprun-bake') };
}

/**
 * Throws when the checkout is not usable by build-rr.sh: no build-rr.sh, or submodules not
 * initialised. build-rr.sh itself refuses when `git submodule status` prints a line starting
 * with "-"; an empty submodule directory (e.g. a tarball of the superproject) is refused here too.
 * Returns the submodules git reports as checked out at another commit than the one pinned.
 */
export async function checkRumprunCheckout(source: string): Promise<string[]> {
  if (!(await isExecutable(path.join(source, 'build-rr.sh')))) {
    throw new RumprunToolchainError(
      `${source}: not a Rumprun checkout (expected an executable build-rr.sh at its top)`,
      true,
    );
  }
  const hint = `run "git submodule update --init" in ${source}`;
  const empty: string[] = [];
  for (const sub of RUMPRUN_SUBMODULES) {
    if (!(await isNonEmptyDir(path.join(source, sub)))) empty.push(sub);
  }
  if (empty.length > 0) {
    throw new RumprunToolchainError(
      `${source}: submodule${empty.length > 1 ? 's' : ''} ${empty.join(', ')} not initialised (empty or missing); ${hint}`,
      true,
    );
  }
  // Like build-rr.sh: one `git submodule status` per submodule, a failing one (not git) is ignored.
  const lines: string[] = [];
  for (const sub of RUMPRUN_SUBMODULES) {
    const status = await git(['submodule', 'status', sub], { cwd: source });
    if (status.ok)
      lines.push(
        ...status.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      );
  }
  const uninitialised = lines.filter((l) => l.startsWith('-')).map((l) => l.split(/\s+/)[1] ?? l);
  if (uninitialised.length > 0) {
    throw new RumprunToolchainError(
      `${source}: submodule${uninitialised.length > 1 ? 's' : ''} ${uninitialised.join(', ')} not initialised; ${hint}`,
    );
  }
  return lines.filter((l) => l.startsWith('+')).map((l) => l.split(/\s+/)[1] ?? l);
}

/** What a toolchain was built from: the checkout's commits (null outside git) and the flags. */
export async function buildIdentity(source: string, args: string[], env: Record<string, string>): Promise<string> {
  const head = await git(['rev-parse', 'HEAD'], { cwd: source });
  const subs = await git(['submodule', 'status', ...RUMPRUN_SUBMODULES], { cwd: source });
  return JSON.stringify({
    head: head.ok ? head.stdout : null,
    submodules: subs.ok ? subs.stdout.split('\n').map((l) => l.trim().split(/\s+/).slice(0, 2).join(' ')) : null,
    args,
    env,
  });
}

async function probeGccMajor(cc: string): Promise<number> {
  const result = await execa(cc, ['--version'], { reject: false });
  if (result.exitCode !== 0) {
    throw new RumprunToolchainError(
      `could not run the host C compiler "${cc} --version" (${result.shortMessage ?? `exit ${result.exitCode}`}); build-rr.sh needs gcc`,
    );
  }
  return parseGccMajor(result.stdout);
}

/** Where the toolchain of `source` is installed: the cacheDir option, else build-rr.sh's own <source>/rumprun. */
export function toolchainInstallDir(options: Pick<EnsureToolchainOptions, 'source' | 'cacheDir'>): string {
  return path.resolve(options.cacheDir ?? path.join(path.resolve(options.source), 'rumprun'));
}

/** How build-rr.sh is run for these options: the host compiler, its arguments and environment (part of what identifies a toolchain). */
export async function toolchainBuildFlags(
  options: Pick<EnsureToolchainOptions, 'source' | 'cacheDir' | 'jobs' | 'cc' | 'overrides'>,
): Promise<{ cc: string; args: string[]; env: Record<string, string> }> {
  const cc = options.cc ?? process.env.CC ?? 'cc';
  const flags = rumprunBuildEnv(await probeGccMajor(cc), options.overrides);
  return {
    cc,
    args: buildRrArgs(flags, { jobs: options.jobs, destDir: toolchainInstallDir(options) }),
    env: flags.env,
  };
}

export async function ensureRumprunToolchain(options: EnsureToolchainOptions): Promise<RumprunToolchain> {
  const source = path.resolve(options.source);
  const installDir = toolchainInstallDir(options);
  const paths = toolchainPaths(installDir);
  const { log } = options;

  const outdated = await checkRumprunCheckout(source);
  for (const sub of outdated)
    log(`rumprun: submodule ${sub} is not at the commit the checkout pins (build-rr.sh warns and waits 5 s)`);

  const { cc, args, env: flagsEnv } = await toolchainBuildFlags(options);
  const identity = await buildIdentity(source, args, flagsEnv);

  const present = (await isExecutable(paths.gcc)) && (await isExecutable(paths.bake));
  const unfinished = await stat(path.join(installDir, BUILDING_FILE)).then(
    () => true,
    () => false,
  );
  if (present && unfinished) {
    log(
      `rumprun: the toolchain in ${installDir} is from a build that did not finish (no completion stamp); rebuilding`,
    );
  } else if (present) {
    const stamp = await readFile(path.join(installDir, STAMP_FILE), 'utf8').catch(() => null);
    if (stamp === null) {
      log(`rumprun: reusing the toolchain in ${installDir} (built outside bootgate, not checked against the checkout)`);
      return { ...paths, built: false };
    }
    if (stamp === identity) {
      log(`rumprun: reusing the toolchain in ${installDir} (built from the same commits and flags)`);
      return { ...paths, built: false };
    }
    log(`rumprun: the toolchain in ${installDir} was built from other commits or flags; rebuilding (incremental)`);
  }

  const logFile = path.resolve(options.logFile ?? `${installDir}.build.log`);
  await mkdir(path.dirname(logFile), { recursive: true });
  const env = { ...flagsEnv, CC: cc };
  log(
    `rumprun: building the toolchain: ${Object.entries(env)
      .map(([k, v]) => `${k}="${v}"`)
      .join(' ')} ./build-rr.sh ${args.join(' ')}`,
  );
  log(`rumprun: full output in ${logFile}`);
  await mkdir(installDir, { recursive: true });
  await rm(path.join(installDir, STAMP_FILE), { force: true });
  await writeFile(
    path.join(installDir, BUILDING_FILE),
    `${JSON.stringify({ pid: process.pid, started: new Date().toISOString() })}\n`,
  );
  const started = Date.now();
  await runBuild(path.join(source, 'build-rr.sh'), args, {
    cwd: source,
    env,
    logFile,
    log,
    timeoutMs: options.timeoutMs ?? 60 * 60_000,
    signal: options.signal,
  });
  log(`rumprun: build-rr.sh finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  for (const tool of [paths.gcc, paths.bake]) {
    if (!(await isExecutable(tool))) {
      throw new RumprunToolchainError(
        `build-rr.sh succeeded but ${tool} is missing; expected the toolchain installed in ${installDir}/bin (see ${logFile})`,
      );
    }
  }
  await writeFile(path.join(installDir, STAMP_FILE), identity);
  await rm(path.join(installDir, BUILDING_FILE), { force: true });
  return { ...paths, built: true };
}

interface RunBuildOptions {
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  log: (line: string) => void;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** build-rr.sh's own ">>" notes and make's "===>" stage lines are the progress worth showing. */
const PROGRESS_LINE = /^(>>\s*\S|===> )/;

async function runBuild(script: string, args: string[], options: RunBuildOptions): Promise<void> {
  const out = createWriteStream(options.logFile);
  // Own process group (process-runner.ts), so that a timeout or a cancel stops build-rr.sh and every make below it.
  const result = await runProcess({
    file: script,
    args,
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    output: out,
    tailLines: LOG_TAIL_LINES,
    onLine: (line) => {
      if (PROGRESS_LINE.test(line)) options.log(`rumprun: ${line}`);
    },
  });
  await new Promise<void>((resolve) => out.end(resolve));
  if (result.end === 'cancelled')
    throw new RumprunToolchainError(`build-rr.sh was cancelled (log: ${options.logFile})`);
  if (result.end === 'timed-out') {
    throw new RumprunToolchainError(
      `build-rr.sh did not finish within ${options.timeoutMs / 60_000} min and was stopped; last lines of ${options.logFile}:\n${result.tail.join('\n')}`,
    );
  }
  if (!result.ok) {
    const how = result.exitCode !== null ? `exited with ${result.exitCode}` : result.how;
    throw new RumprunToolchainError(
      `build-rr.sh ${how}; last ${LOG_TAIL_LINES} lines of ${options.logFile}:\n${result.tail.join('\n')}`,
    );
  }
}
