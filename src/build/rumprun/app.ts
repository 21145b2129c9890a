import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BAKE_TARGETS, type BakeTarget } from '../../config/schema.js';
import type { RumprunToolchain } from './toolchain.js';

export class RumprunAppError extends Error {
  override readonly name = 'RumprunAppError';
  /** `inputError`: the app folder the user named is not there (CLI exit 2, see isInputError) */
  constructor(
    message: string,
    readonly inputError = false,
  ) {
    super(message);
  }
}

/**
 * bootgate's own apps/httpd, found from this module whether it runs from src/build/rumprun/
 * (tests, tsx) or from the bundled dist/: walk up to the package root that holds apps/httpd.
 */
export function defaultHttpdAppDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'apps', 'httpd');
    if (existsSync(path.join(candidate, 'httpd.c')) && existsSync(path.join(dir, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new RumprunAppError(`could not find bootgate's apps/httpd/httpd.c above ${from}; pass appDir`);
    dir = parent;
  }
}

export interface BuildAppOptions {
  toolchain: Pick<RumprunToolchain, 'binDir' | 'gcc' | 'bake'>;
  /** the program's sources; default bootgate's apps/httpd */
  appDir?: string;
  /**
   * Argument array run in appDir instead of the default compile; `{cc}` and `{out}` in any
   * argument are replaced by the cross compiler and the program path to produce. It also gets
   * CC and BOOTGATE_APP_OUT in its environment and the toolchain's bin/ first on PATH.
   */
  buildCommand?: string[];
  bakeTarget: BakeTarget;
  outDir: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface RumprunApp {
  /** the compiled (not yet baked) program */
  program: string;
  /** the bootable image */
  image: string;
}

function toolEnv(toolchain: BuildAppOptions['toolchain'], out: string): Record<string, string> {
  return {
    PATH: `${toolchain.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    CC: toolchain.gcc,
    BOOTGATE_APP_OUT: out,
    // rumprun-bake prints an "experimental" banner unless told not to.
    RUMPRUN_WARNING_STFU: 'please',
  };
}

function describeFailure(
  what: string,
  result: { exitCode?: number; signal?: string; shortMessage?: string; all?: unknown },
): string {
  const how =
    result.exitCode !== undefined
      ? `exited with ${result.exitCode}`
      : result.signal !== undefined
        ? `was killed by ${result.signal}`
        : `could not be started (${result.shortMessage ?? 'unknown error'})`;
  const output =
    typeof result.all === 'string' && result.all.trim() !== '' ? `:\n${result.all.trim()}` : ' (no output)';
  return `${what} ${how}${output}`;
}

/**
 * Compiles a POSIX program with the Rumprun cross compiler and bakes it into a bootable image
 * (`rumprun-bake <target> <image> <program>`).
 */
export async function buildRumprunApp(options: BuildAppOptions): Promise<RumprunApp> {
  const appDir = path.resolve(options.appDir ?? defaultHttpdAppDir());
  const outDir = path.resolve(options.outDir);
  const log = options.log ?? (() => {});
  if (!(BAKE_TARGETS as readonly string[]).includes(options.bakeTarget)) {
    throw new RumprunAppError(
      `unknown bake target "${String(options.bakeTarget)}"; expected one of ${BAKE_TARGETS.join(', ')}`,
    );
  }
  const dirStat = await stat(appDir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new RumprunAppError(`app directory ${appDir} does not exist`, true);
  await mkdir(outDir, { recursive: true });

  const name = path.basename(appDir);
  const program = path.join(outDir, name);
  const env = toolEnv(options.toolchain, program);

  let command: string[];
  if (options.buildCommand && options.buildCommand.length > 0) {
    command = options.buildCommand.map((arg) =>
      arg.replaceAll('{cc}', options.toolchain.gcc).replaceAll('{out}', program),
    );
  } else {
    const sources = (await readdir(appDir)).filter((f) => f.endsWith('.c')).sort();
    if (sources.length === 0)
      throw new RumprunAppError(`app directory ${appDir} has no .c file; give buildCommand to build it another way`);
    command = [options.toolchain.gcc, '-O2', '-Wall', '-o', program, ...sources];
  }
  log(`rumprun: compiling ${name}: ${command.join(' ')}`);
  const [file, ...args] = command as [string, ...string[]];
  const compiled = await execa(file, args, {
    cwd: appDir,
    env,
    all: true,
    reject: false,
    stdin: 'ignore',
    cancelSignal: options.signal,
  });
  if (compiled.failed) throw new RumprunAppError(describeFailure(`building ${name} (${command.join(' ')})`, compiled));
  if (!existsSync(program)) {
    throw new RumprunAppError(
      `building ${name} succeeded but produced no ${program}; the build command must write the program to {out} / $BOOTGATE_APP_OUT`,
    );
  }

  const image = path.join(outDir, `${name}-${options.bakeTarget}.bin`);
  log(`rumprun: baking ${image} (${options.bakeTarget})`);
  const baked = await execa(options.toolchain.bake, [options.bakeTarget, image, program], {
    cwd: outDir,
    env,
    all: true,
    reject: false,
    stdin: 'ignore',
    cancelSignal: options.signal,
  });
  if (baked.failed)
    throw new RumprunAppError(describeFailure(`rumprun-bake ${options.bakeTarget} ${image} ${program}`, baked));
  if (!existsSync(image)) throw new RumprunAppError(`rumprun-bake succeeded but wrote no ${image}`);
  return { program, image };
}
