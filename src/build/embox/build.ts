import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, cp, lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { execa } from 'execa';
import { runProcess } from '../process-runner.js';
import { archAndCrossCompile, MissingCrossCompilerError, resolveCrossCompiler, type CrossCompilerChoice } from './cross-compiler.js';

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

export type EmboxBuildErrorCode =
  | 'not-a-checkout'
  | 'unknown-template'
  | 'bad-option'
  | 'tool-missing'
  | 'confload-failed'
  | 'missing-archive'
  | 'archive-checksum'
  | 'make-failed'
  | 'no-image'
  | 'aborted';

/** Codes that mean the user named something that is not there: bad input, CLI exit 2. */
const INPUT_ERROR_CODES: readonly EmboxBuildErrorCode[] = ['not-a-checkout', 'unknown-template', 'bad-option'];

export class EmboxBuildError extends Error {
  override readonly name = 'EmboxBuildError';
  /** read by isInputError (src/config/errors.ts) */
  readonly inputError: boolean;
  constructor(
    message: string,
    readonly code: EmboxBuildErrorCode,
    readonly logFile?: string,
  ) {
    super(message);
    this.inputError = INPUT_ERROR_CODES.includes(code);
  }
}

/** Where `make` leaves the kernel image, relative to the checkout. */
export const EMBOX_IMAGE_PATH = path.join('build', 'base', 'bin', 'embox');
const TAIL_LINES = 40;
const PROGRESS_EVERY_LINES = 500;
const HEARTBEAT_MS = 30_000;

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Throws unless `dir` is the root of an Embox source tree (Makefile, mk/, templates/, a confload target). */
export async function validateEmboxCheckout(dir: string): Promise<void> {
  if (!(await isDir(dir))) throw new EmboxBuildError(`Embox source ${dir} does not exist or is not a folder`, 'not-a-checkout');
  const missing: string[] = [];
  if (!(await isFile(path.join(dir, 'Makefile')))) missing.push('Makefile');
  if (!(await isDir(path.join(dir, 'mk')))) missing.push('mk/');
  if (!(await isDir(path.join(dir, 'templates')))) missing.push('templates/');
  if (missing.length === 0) {
    // the confload-<template> rule lives in mk/main.mk (older trees: in the Makefile)
    const texts = await Promise.all(['mk/main.mk', 'Makefile'].map((f) => readFile(path.join(dir, f), 'utf8').catch(() => '')));
    if (!texts.some((t) => t.includes('confload'))) missing.push('a "confload-<template>" make target (mk/main.mk)');
  }
  if (missing.length > 0) {
    throw new EmboxBuildError(
      `${dir} is not an Embox checkout: missing ${missing.join(', ')}; expected the root of an Embox source tree ` +
        `(Makefile, mk/, templates/ and a "make confload-<template>" target)`,
      'not-a-checkout',
    );
  }
}

async function findBuildConfs(dir: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isFile() && e.name === 'build.conf') out.push(dir);
    else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.')) out.push(...(await findBuildConfs(path.join(dir, e.name), depth - 1)));
  }
  return out;
}

/**
 * Template name → folder, named as Embox's mk/main.mk names them: templates/<a>/<b> is
 * "<a>/<b>", platform/<p>/templates/<t> is "platform/<p>/<t>", project/<p>/templates/<t> is "project/<p>/<t>".
 */
export async function listEmboxTemplates(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const posix = (p: string): string => p.split(path.sep).join('/');
  for (const d of await findBuildConfs(path.join(root, 'templates'), 6)) found.set(posix(path.relative(path.join(root, 'templates'), d)), d);
  for (const d of await findBuildConfs(path.join(root, 'platform'), 6)) {
    found.set(`platform/${posix(path.relative(path.join(root, 'platform'), d)).replace('templates/', '')}`, d);
  }
  let projects: string[] = [];
  try {
    projects = (await readdir(path.join(root, 'project'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    // no project/ folder: fine
  }
  for (const p of projects) {
    for (const d of await findBuildConfs(path.join(root, 'project', p, 'templates'), 1)) found.set(`project/${p}/${path.basename(d)}`, d);
  }
  return found;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to `count` names closest to `wanted`: shared path parts first, then by edit distance. */
export function closestNames(wanted: string, names: Iterable<string>, count = 5): string[] {
  const parts = wanted.toLowerCase().split('/');
  const score = (n: string): number => {
    const lower = n.toLowerCase();
    const shared = parts.filter((p) => p && lower.split('/').includes(p)).length;
    return editDistance(wanted.toLowerCase(), lower) - 3 * shared - (lower.includes(wanted.toLowerCase()) ? 5 : 0);
  };
  return [...names].sort((a, b) => score(a) - score(b) || a.localeCompare(b)).slice(0, count);
}

/** The template's folder; throws naming close template names when it does not exist. */
export async function resolveEmboxTemplate(root: string, template: string): Promise<string> {
  const templates = await listEmboxTemplates(root);
  const dir = templates.get(template);
  if (dir) return dir;
  const close = closestNames(template, templates.keys());
  throw new EmboxBuildError(
    `unknown Embox template "${template}" in ${root}: no templates/${template}/build.conf; ` +
      (close.length > 0 ? `close names: ${close.join(', ')} (${templates.size} templates; "make confload" lists them all)` : 'the checkout has no templates at all'),
    'unknown-template',
  );
}

export interface DownloadFailure {
  /** missing: not in download/ and not downloadable; checksum: present but the md5 differs */
  kind: 'missing' | 'checksum';
  /** archive file name, e.g. openlibm-0.8.3.tar.gz */
  archive: string;
  url?: string;
  expectedMd5?: string;
  /** curl's own error line, when there was one */
  detail?: string;
}

/** Lines of an Embox build log that can explain a third-party download failure (see mk/extbld/build.mk). */
export function isDownloadRelevant(line: string): boolean {
  return /curl|md5sum|^tar: |\.download_checked\]|Cannot open/.test(line);
}

/**
 * Finds, in an Embox build log, a third-party archive that was missing (curl failed,
 * then md5sum/tar could not open it) or failed its md5 check. Null when none did.
 */
export function detectDownloadFailure(lines: readonly string[]): DownloadFailure | null {
  const urls = new Map<string, string>();
  const md5s = new Map<string, string>();
  const missing: string[] = [];
  const failedModules: string[] = [];
  let curlError: string | undefined;
  for (const line of lines) {
    const fetchCmd = /curl -o (\S+) [^']*'([^']+)'/.exec(line);
    if (fetchCmd) urls.set(fetchCmd[1]!, fetchCmd[2]!);
    for (const m of line.matchAll(/md5sum (\S+) \| .*?grep ([0-9a-fA-F]{32})/g)) md5s.set(m[1]!, m[2]!.toLowerCase());
    const curl = /(curl: \(\d+\) .*)$/.exec(line);
    if (curl) curlError = curl[1]!.trim();
    const gone = /^(?:tar|md5sum): (\S+): (?:Cannot open: )?No such file or directory/.exec(line.trim());
    if (gone && !missing.includes(path.basename(gone[1]!))) missing.push(path.basename(gone[1]!));
    const check = /(\S+)\/\.download_checked\] Error/.exec(line);
    if (check) failedModules.push(path.basename(check[1]!));
  }
  const first = missing[0];
  if (first !== undefined) {
    return { kind: 'missing', archive: first, ...opt('url', urls.get(first)), ...opt('expectedMd5', md5s.get(first)), ...opt('detail', curlError) };
  }
  const mod = failedModules[0];
  if (mod === undefined) return null;
  // the failing module's folder is named after its package (OpenLibm ↔ openlibm-0.8.3.tar.gz)
  const archives = [...new Set([...md5s.keys(), ...urls.keys()])];
  const archive = archives.find((a) => a.toLowerCase().startsWith(mod.toLowerCase())) ?? archives[archives.length - 1] ?? `${mod} archive`;
  return { kind: 'checksum', archive, ...opt('url', urls.get(archive)), ...opt('expectedMd5', md5s.get(archive)) };
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** The error for a download failure found in the log of a build of `template`. */
export function downloadFailureMessage(f: DownloadFailure, template: string, downloadFolder: string, downloadDir?: string): string {
  const where = `Embox build (template ${template})`;
  if (f.kind === 'missing') {
    return (
      `${where}: third-party archive ${f.archive} is not in ${downloadFolder} and could not be downloaded` +
      (f.url ? ` from ${f.url}` : '') +
      (f.detail ? ` (${f.detail})` : '') +
      `. Offline builds need it in a pre-filled folder passed as "download-dir" (--download-dir DIR)` +
      (downloadDir ? `; download-dir ${downloadDir} has no ${f.archive}` : '') +
      (f.expectedMd5 ? `; the Embox Makefile expects md5 ${f.expectedMd5}` : '')
    );
  }
  return (
    `${where}: third-party archive ${f.archive} in ${downloadFolder}${downloadDir ? ` (copied from download-dir ${downloadDir})` : ''} ` +
    `does not have the md5 the Embox Makefile expects${f.expectedMd5 ? ` (${f.expectedMd5})` : ''}; ` +
    `replace it with the exact file${f.url ? ` from ${f.url}` : ' the package Makefile names'}`
  );
}

/** A line worth showing as build progress (mybuild phases, external builds, completion), or null. */
export function progressLine(line: string): string | null {
  const phase = /^\s*(MKGEN|CONFIGFILE|MYLINK|BUILDMODEL|BUILDGEN)\b(.*)$/.exec(line);
  if (phase) return `${phase[1]}${phase[2]!.replace(/\s+/g, ' ').trimEnd()}`;
  const ext = /^make -C (\S+?)\/? -f \S*mk\/extbld\/build\.mk/.exec(line);
  if (ext) return `external build: ${ext[1]}`;
  if (/^(Build complete|Config complete)\b/.test(line)) return line.trim();
  return null;
}

async function hashFiles(root: string, rel: string, hash: ReturnType<typeof createHash>, skip: (name: string) => boolean): Promise<void> {
  const full = path.join(root, rel);
  let info;
  try {
    info = await lstat(full);
  } catch {
    return;
  }
  if (info.isSymbolicLink()) {
    hash.update(`L ${rel} ${await readlink(full)}\n`);
  } else if (info.isDirectory()) {
    const names = (await readdir(full)).filter((n) => !skip(n)).sort();
    for (const n of names) await hashFiles(root, path.join(rel, n), hash, skip);
  } else if (info.isFile()) {
    hash.update(`F ${rel} ${info.size}\n`);
    hash.update(await readFile(full));
  }
}

/** Fingerprint of the tree: git's tree of HEAD plus uncommitted changes, or a hash of the sources when not a git checkout. */
export async function sourceFingerprint(dir: string): Promise<string> {
  const git = async (args: string[]): Promise<{ ok: boolean; stdout: Uint8Array }> => {
    const r = await execa('git', ['-C', dir, ...args], { reject: false, encoding: 'buffer', stdin: 'ignore', stderr: 'ignore' });
    return { ok: r.exitCode === 0, stdout: r.stdout };
  };
  const tree = await git(['rev-parse', 'HEAD:./']);
  if (tree.ok) {
    const hash = createHash('sha256');
    hash.update(`git-tree ${Buffer.from(tree.stdout).toString().trim()}\n`);
    const diff = await git(['diff', 'HEAD', '--binary', '--no-ext-diff', '--', '.']);
    hash.update(diff.stdout);
    // untracked, not ignored files are part of what make sees too
    const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z', '--', '.']);
    for (const rel of Buffer.from(untracked.stdout).toString().split('\0').filter(Boolean).sort()) await hashFiles(dir, rel, hash, () => false);
    return `git:${hash.digest('hex')}`;
  }
  const hash = createHash('sha256');
  for (const part of ['Makefile', 'mk', 'src', 'third-party', 'templates', 'platform']) {
    await hashFiles(dir, part, hash, (n) => n === '.git' || n === '.cache');
  }
  return `files:${hash.digest('hex')}`;
}

async function gccVersion(): Promise<string> {
  const r = await execa('gcc', ['--version'], { reject: false, stdin: 'ignore' });
  if (r.failed || typeof r.stdout !== 'string') {
    throw new EmboxBuildError(`gcc --version failed (${r.shortMessage}); Embox builds need gcc (and gcc-multilib for x86 templates)`, 'tool-missing');
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
    return await resolveCrossCompiler({ template: opts.template, ...conf, shimRoot: path.join(opts.cacheDir ? path.resolve(opts.cacheDir) : os.tmpdir(), 'cross-compile') });
  } catch (error) {
    if (error instanceof MissingCrossCompilerError) throw new EmboxBuildError(error.message, 'tool-missing');
    throw error;
  }
}

/** sha256 over the tree fingerprint, the template, the overrides' content and the compiler. */
export async function emboxCacheKey(parts: { workDir: string; template: string; overridesDir?: string; gcc: string }): Promise<string> {
  const hash = createHash('sha256');
  hash.update('bootgate-embox-build v1\n');
  hash.update(`source ${await sourceFingerprint(parts.workDir)}\n`);
  hash.update(`template ${parts.template}\n`);
  if (parts.overridesDir) {
    hash.update('overrides\n');
    await hashFiles(parts.overridesDir, '.', hash, () => false);
  }
  hash.update(`gcc ${parts.gcc}\n`);
  return hash.digest('hex');
}

/** Copies what `from` holds into `to`, file by file, skipping files already there with the same size and mtime. */
async function syncFolder(from: string, to: string): Promise<number> {
  let copied = 0;
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      copied += await syncFolder(src, dst);
    } else if (e.isFile() || e.isSymbolicLink()) {
      const s = await stat(src);
      const d = await stat(dst).catch(() => null);
      if (d && d.size === s.size && Math.abs(d.mtimeMs - s.mtimeMs) < 1) continue;
      await copyFile(src, dst);
      await utimes(dst, s.atime, s.mtime);
      copied++;
    }
  }
  return copied;
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
    file, args, cwd, env, extendEnv: false, signal, output: logStream, tailLines: TAIL_LINES, graceMs: 10_000,
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
  if (!Number.isInteger(jobs) || jobs < 1) throw new EmboxBuildError(`jobs ${jobs}: expected a positive integer`, 'bad-option');

  await validateEmboxCheckout(workDir);
  const templateDir = await resolveEmboxTemplate(workDir, opts.template);
  if (opts.overridesDir && !(await isDir(opts.overridesDir))) {
    throw new EmboxBuildError(`overrides ${opts.overridesDir} is not a folder (expected files to copy over conf/)`, 'bad-option');
  }
  if (opts.downloadDir && !(await isDir(opts.downloadDir))) {
    throw new EmboxBuildError(`download-dir ${opts.downloadDir} is not a folder (expected the pre-filled third-party archives)`, 'bad-option');
  }

  const gcc = await gccVersion();
  const cross = await crossCompilerFor(opts, templateDir);
  opts.log(`embox: ${cross.note}`);
  const compilers = cross.used === '' ? gcc : `${gcc}; ${cross.used}gcc ${cross.version}`;
  const cacheKey = await emboxCacheKey({ workDir, template: opts.template, ...(opts.overridesDir ? { overridesDir: opts.overridesDir } : {}), gcc: compilers });
  // a mapped cross compiler is found under the template's CROSS_COMPILE name first on PATH
  const makeEnv: Record<string, string> = cross.pathDir ? { PATH: `${cross.pathDir}${path.delimiter}${process.env.PATH ?? ''}` } : {};
  const entry = opts.cacheDir ? path.join(path.resolve(opts.cacheDir), `embox-${cacheKey}`) : undefined;
  if (entry && (await isFile(path.join(entry, 'embox')))) {
    opts.log(`embox: cache hit for ${opts.template} (${cacheKey.slice(0, 12)}), skipping the build`);
    return { image: path.join(entry, 'embox'), confDir: path.join(entry, 'conf'), buildLog: path.join(entry, 'build.log'), cacheKey, cached: true, seconds: seconds() };
  }

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
    const confload = await runLogged('make', [`confload-${opts.template}`], workDir, logStream, () => undefined, opts.signal, makeEnv);
    if (confload.notFound) await fail(`make not found: Embox builds need GNU make (and gcc, gcc-multilib, cpio)`, 'tool-missing');
    if (confload.aborted) await fail(`Embox build of template ${opts.template} aborted during confload`, 'aborted');
    if (confload.failed) {
      await fail(`make confload-${opts.template} failed in ${workDir} (${confload.message}); last lines of ${buildLog}:\n${tailText(confload.tail)}`, 'confload-failed');
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
    const heartbeat = setInterval(() => opts.log(`embox: still building (${seconds().toFixed(0)} s, ${lines} lines of output)`), HEARTBEAT_MS);
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
      if (dl) await fail(`${downloadFailureMessage(dl, opts.template, downloadFolder, opts.downloadDir)}. Full log: ${buildLog}`, dl.kind === 'missing' ? 'missing-archive' : 'archive-checksum');
      await fail(`Embox build of template ${opts.template} failed (${make.message}); last ${make.tail.length} lines of ${buildLog}:\n${tailText(make.tail)}`, 'make-failed');
    }
    const image = path.join(workDir, EMBOX_IMAGE_PATH);
    if (!(await isFile(image))) await fail(`Embox build of template ${opts.template} succeeded but left no image at ${image}`, 'no-image');
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
    return { image: path.join(entry, 'embox'), confDir: path.join(entry, 'conf'), buildLog: path.join(entry, 'build.log'), cacheKey, cached: false, seconds: seconds() };
  } finally {
    if (!logStream.closed) await closeLog();
  }
}
