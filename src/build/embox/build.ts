// Builds an Embox image: `make confload-<template>`, overrides over conf/, `make`; a build of the
// same fingerprint (fingerprint.ts) is reused from the cache folder instead.
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, cp, mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { execa } from 'execa';
import { runProcess } from '../process-runner.js';
import { EmboxBuildError, type EmboxBuildErrorCode } from './build-error.js';
import { isDir, isFile, resolveEmboxTemplate, validateEmboxCheckout } from './checkout.js';
import { ccacheSetup } from './ccache.js';
import {
  archAndCrossCompile,
  MissingCrossCompilerError,
  resolveCrossCompiler,
  type CrossCompilerChoice,
} from './cross-compiler.js';
import { detectDownloadFailure, downloadFailureMessage, isDownloadRelevant } from './download-failure.js';
import { emboxCacheKey } from './fingerprint.js';
import { syncFolder } from './folder-sync.js';

export interface EmboxBuildOptions {
  /** the Embox checkout */
  source: string;
  /** Embox template, e.g. x86/qemu (as `make confload-<template>` takes it) */
  template: string;
  /** pre-filled folder of third-party archives, copied into the checkout's download/ */
  downloadDir?: string;
  /** folder whose files are copied over conf/ after confload */
  overridesDir?: string;
  /** where to build: a separate checkout or worktree of the same tree; default `source` */
  workDir?: string;
  /** make -j; default: the number of CPUs */
  jobs?: number;
  log: (line: string) => void;
  /** folder keeping built images by cache key; none: no caching */
  cacheDir?: string;
  /** ccache's folder, shared by every build with the same compiler; none: no ccache (see ccache.ts) */
  ccacheDir?: string;
  /** aborts the build: make is sent SIGTERM (it passes it on to its jobs) and reaped */
  signal?: AbortSignal;
}

export interface EmboxBuildResult {
  /** the ELF image to boot */
  image: string;
  /** the conf/ folder the image was built from (a copy, on a cache hit) */
  confDir: string;
  /** the build's full output */
  buildLog: string;
  cacheKey: string;
  cached: boolean;
  seconds: number;
}

/** Where `make` leaves the kernel image, relative to the checkout. */
export const EMBOX_IMAGE_PATH = path.join('build', 'base', 'bin', 'embox');
const TAIL_LINES = 40;
const PROGRESS_EVERY_LINES = 500;
const HEARTBEAT_MS = 30_000;

/** A line worth showing as build progress (mybuild phases, external builds, completion), or null. */
export function progressLine(line: string): string | null {
  const phase = /^\s*(MKGEN|CONFIGFILE|MYLINK|BUILDMODEL|BUILDGEN)\b(.*)$/.exec(line);
  if (phase) return `${phase[1]}${phase[2]!.replace(/\s+/g, ' ').trimEnd()}`;
  const ext = /^make -C (\S+?)\/? -f \S*mk\/extbld\/build\.mk/.exec(line);
  if (ext) return `external build: ${ext[1]}`;
  if (/^(Build complete|Config complete)\b/.test(line)) return line.trim();
  return null;
}

async function gccVersion(): Promise<string> {
  const r = await execa('gcc', ['--version'], { reject: false, stdin: 'ignore' });
  if (r.failed || typeof r.stdout !== 'string') {
    throw new EmboxBuildError(
      `gcc --version failed (${r.shortMessage}); Embox builds need gcc (and gcc-multilib for x86 templates)`,
      'tool-missing',
    );
  }
  return r.stdout.split('\n')[0]!.trim();
}

/** The cross compiler of the template's build.conf (the overrides' build.conf when they have one). */
async function crossCompilerFor(opts: EmboxBuildOptions, templateDir: string): Promise<CrossCompilerChoice> {
  const overridden = opts.overridesDir ? path.join(opts.overridesDir, 'build.conf') : null;
  const buildConf = overridden && (await isFile(overridden)) ? overridden : path.join(templateDir, 'build.conf');
  let conf;
  try {
    conf = await archAndCrossCompile(buildConf);
  } catch (error) {
    throw new EmboxBuildError(`${buildConf}: ${(error as Error).message}`, 'bad-option');
  }
  try {
    return await resolveCrossCompiler({
      template: opts.template,
      ...conf,
      shimRoot: path.join(opts.cacheDir ? path.resolve(opts.cacheDir) : os.tmpdir(), 'cross-compile'),
    });
  } catch (error) {
    if (error instanceof MissingCrossCompilerError) throw new EmboxBuildError(error.message, 'tool-missing');
    throw error;
  }
}

interface RunResult {
  exitCode: number | undefined;
  failed: boolean;
  notFound: boolean;
  aborted: boolean;
  tail: string[];
  downloadLines: string[];
  message: string;
}

/** Runs a command in `cwd` (see process-runner.ts), writing its output to `logStream` and keeping the tail; never rejects. */
async function runLogged(
  file: string,
  args: string[],
  cwd: string,
  logStream: WriteStream,
  onLine: (line: string, count: number) => void,
  signal?: AbortSignal,
  extraEnv: Record<string, string> = {},
): Promise<RunResult> {
  // a make started from inside another make would join its jobserver: give it a clean environment
  const env: Record<string, string | undefined> = { ...process.env, ...extraEnv, LC_ALL: 'C', LANG: 'C' };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'GNUMAKEFLAGS']) delete env[k];
  logStream.write(`$ ${[file, ...args].join(' ')}   (in ${cwd})\n`);
  const downloadLines: string[] = [];
  const r = await runProcess({
    file,
    args,
    cwd,
    env,
    extendEnv: false,
    signal,
    output: logStream,
    tailLines: TAIL_LINES,
    graceMs: 10_000,
    onLine: (line, count) => {
      if (isDownloadRelevant(line)) downloadLines.push(line);
      onLine(line, count);
    },
  });
  return {
    exitCode: r.exitCode ?? undefined,
    failed: !r.ok,
    notFound: r.end === 'not-found',
    aborted: r.end === 'cancelled',
    tail: r.tail,
    downloadLines,
    message: r.how,
  };
}

/**
 * Builds an Embox image: `make confload-<template>`, overrides copied over conf/,
 * `make -j<jobs>`. With a cacheDir, a previous build of the same tree, template,
 * overrides and compiler is reused instead.
 */
export async function buildEmbox(opts: EmboxBuildOptions): Promise<EmboxBuildResult> {
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  const workDir = path.resolve(opts.workDir ?? opts.source);
  const jobs = opts.jobs ?? os.availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new EmboxBuildError(`jobs ${jobs}: expected a positive integer`, 'bad-option');

  await validateEmboxCheckout(workDir);
  const templateDir = await resolveEmboxTemplate(workDir, opts.template);
  if (opts.overridesDir && !(await isDir(opts.overridesDir))) {
    throw new EmboxBuildError(
      `overrides ${opts.overridesDir} is not a folder (expected files to copy over conf/)`,
      'bad-option',
    );
  }
  if (opts.downloadDir && !(await isDir(opts.downloadDir))) {
    throw new EmboxBuildError(
      `download-dir ${opts.downloadDir} is not a folder (expected the pre-filled third-party archives)`,
      'bad-option',
    );
  }

  const gcc = await gccVersion();
  const cross = await crossCompilerFor(opts, templateDir);
  opts.log(`embox: ${cross.note}`);
  const compilers = cross.used === '' ? gcc : `${gcc}; ${cross.used}gcc ${cross.version}`;
  const cacheKey = await emboxCacheKey({
    workDir,
    template: opts.template,
    ...(opts.overridesDir ? { overridesDir: opts.overridesDir } : {}),
    gcc: compilers,
  });
  // a mapped cross compiler is found under the template's CROSS_COMPILE name first on PATH
  const entry = opts.cacheDir ? path.join(path.resolve(opts.cacheDir), `embox-${cacheKey}`) : undefined;
  if (entry && (await isFile(path.join(entry, 'embox')))) {
    opts.log(`embox: cache hit for ${opts.template} (${cacheKey.slice(0, 12)}), skipping the build`);
    return {
      image: path.join(entry, 'embox'),
      confDir: path.join(entry, 'conf'),
      buildLog: path.join(entry, 'build.log'),
      cacheKey,
      cached: true,
      seconds: seconds(),
    };
  }
  const ccache = opts.ccacheDir
    ? await ccacheSetup({
        ccacheDir: path.resolve(opts.ccacheDir),
        linkRoot: `${path.resolve(opts.ccacheDir)}-bin`,
        crossCompile: cross.wanted,
        workDir,
      })
    : null;
  if (ccache) opts.log(`embox: ${ccache.note}`);
  // ccache's links first (they find the real compiler further down PATH), then a mapped cross
  // compiler under the template's CROSS_COMPILE name
  const pathDirs = [ccache?.pathDir, cross.pathDir].filter((d): d is string => d !== undefined);
  const makeEnv: Record<string, string> = {
    ...(ccache?.env ?? {}),
    ...(pathDirs.length > 0 ? { PATH: [...pathDirs, process.env.PATH ?? ''].join(path.delimiter) } : {}),
  };

  const logDir = opts.cacheDir ? path.join(path.resolve(opts.cacheDir), 'logs') : os.tmpdir();
  await mkdir(logDir, { recursive: true });
  const buildLog = path.join(logDir, `bootgate-embox-${cacheKey.slice(0, 16)}.log`);
  const logStream = createWriteStream(buildLog);
  let logError: Error | undefined;
  logStream.on('error', (err) => {
    logError ??= err;
  });
  const closeLog = async (): Promise<void> => {
    logStream.end();
    await finished(logStream).catch(() => undefined);
  };
  const checkLog = async (): Promise<void> => {
    if (logError) await fail(`cannot write the build log ${buildLog}: ${logError.message}`, 'bad-option');
  };
  const fail = async (message: string, code: EmboxBuildErrorCode): Promise<never> => {
    await closeLog();
    throw new EmboxBuildError(message, code, buildLog);
  };
  const tailText = (tail: string[]): string => tail.map((l) => `  ${l}`).join('\n');

  try {
    opts.log(`embox: make confload-${opts.template} in ${workDir} (log: ${buildLog})`);
    const confload = await runLogged(
      'make',
      [`confload-${opts.template}`],
      workDir,
      logStream,
      () => undefined,
      opts.signal,
      makeEnv,
    );
    if (confload.notFound)
      await fail(`make not found: Embox builds need GNU make (and gcc, gcc-multilib, cpio)`, 'tool-missing');
    if (confload.aborted) await fail(`Embox build of template ${opts.template} aborted during confload`, 'aborted');
    if (confload.failed) {
      await fail(
        `make confload-${opts.template} failed in ${workDir} (${confload.message}); last lines of ${buildLog}:\n${tailText(confload.tail)}`,
        'confload-failed',
      );
    }
    await checkLog();
    const confDir = path.join(workDir, 'conf');
    if (opts.overridesDir) {
      await cp(opts.overridesDir, confDir, { recursive: true, force: true });
      opts.log(`embox: copied overrides from ${opts.overridesDir} over conf/`);
    }
    const downloadFolder = path.join(workDir, 'download');
    if (opts.downloadDir && path.resolve(opts.downloadDir) !== downloadFolder) {
      // Embox's mk/extbld/build.mk fixes DOWNLOAD_DIR to $(ROOT_DIR)/download and clears
      // MAKEFLAGS for package builds, so a make variable cannot redirect it: copy instead.
      const n = await syncFolder(opts.downloadDir, downloadFolder);
      opts.log(`embox: download-dir ${opts.downloadDir}: ${n} file(s) copied into ${downloadFolder}`);
    }

    opts.log(`embox: make -j${jobs} (template ${opts.template})`);
    let lastShown = '';
    let lines = 0;
    // Embox's makefile generation runs for minutes without a line: say it is still alive
    const heartbeat = setInterval(
      () => opts.log(`embox: still building (${seconds().toFixed(0)} s, ${lines} lines of output)`),
      HEARTBEAT_MS,
    );
    heartbeat.unref();
    const make = await runLogged(
      'make',
      [`-j${jobs}`],
      workDir,
      logStream,
      (line, count) => {
        lines = count;
        const p = progressLine(line);
        if (p && p !== lastShown) {
          lastShown = p;
          opts.log(`embox: ${p}`);
        } else if (count % PROGRESS_EVERY_LINES === 0) {
          opts.log(`embox: … ${count} lines of build output`);
        }
      },
      opts.signal,
      makeEnv,
    ).finally(() => clearInterval(heartbeat));
    await checkLog();
    if (make.aborted) await fail(`Embox build of template ${opts.template} aborted`, 'aborted');
    if (make.failed) {
      const dl = detectDownloadFailure(make.downloadLines);
      if (dl)
        await fail(
          `${downloadFailureMessage(dl, opts.template, downloadFolder, opts.downloadDir)}. Full log: ${buildLog}`,
          dl.kind === 'missing' ? 'missing-archive' : 'archive-checksum',
        );
      await fail(
        `Embox build of template ${opts.template} failed (${make.message}); last ${make.tail.length} lines of ${buildLog}:\n${tailText(make.tail)}`,
        'make-failed',
      );
    }
    const image = path.join(workDir, EMBOX_IMAGE_PATH);
    if (!(await isFile(image)))
      await fail(`Embox build of template ${opts.template} succeeded but left no image at ${image}`, 'no-image');
    await closeLog();
    opts.log(`embox: built ${image} in ${seconds().toFixed(1)} s`);
    if (opts.downloadDir && path.resolve(opts.downloadDir) !== downloadFolder) {
      // Archives the build fetched itself go back into download-dir, so a cached folder fills up.
      const back = await syncFolder(downloadFolder, opts.downloadDir);
      if (back > 0) opts.log(`embox: ${back} new archive(s) copied back into download-dir ${opts.downloadDir}`);
    }

    if (!entry) return { image, confDir, buildLog, cacheKey, cached: false, seconds: seconds() };
    // publish the cache entry whole or not at all
    const tmp = `${entry}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await copyFile(image, path.join(tmp, 'embox'));
    await cp(confDir, path.join(tmp, 'conf'), { recursive: true });
    await copyFile(buildLog, path.join(tmp, 'build.log'));
    try {
      await rename(tmp, entry);
    } catch {
      if (await isFile(path.join(entry, 'embox'))) {
        // another build published the same key first: keep theirs
        await rm(tmp, { recursive: true, force: true });
      } else {
        // a broken entry (no image): replace it
        await rm(entry, { recursive: true, force: true });
        await rename(tmp, entry);
      }
    }
    return {
      image: path.join(entry, 'embox'),
      confDir: path.join(entry, 'conf'),
      buildLog: path.join(entry, 'build.log'),
      cacheKey,
      cached: false,
      seconds: seconds(),
    };
  } finally {
    if (!logStream.closed) await closeLog();
  }
}
