// actions/cache around the expensive, reusable parts of a run: Embox's third-party downloads, the
// Rumprun toolchain and bootgate's content-addressed build outputs. A cache is an optimisation: any
// error from the cache service is a warning and the run goes on without it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { execa } from 'execa';
import { bootgateCacheDir } from '../config/cache-dir.js';
import { rumprunCheckoutParent } from '../build/rumprun/index.js';
import { PINNED_RUMPRUN, pinnedRumprunDir } from '../build/rumprun/checkout.js';
import type { Subject } from '../config/subjects.js';

export interface CacheEntry {
  /** what it holds, for the log */
  label: string;
  key: string;
  restoreKeys: string[];
  paths: string[];
}

export interface CacheState {
  entry: CacheEntry;
  /** the key restored, or null on a miss or an error */
  hit: string | null;
}

/**
 * Folders under the bootgate cache folder that builders fill by content hash (see src/build):
 * multiboot-fixture.ts → multiboot/<hash>, linux-fixture.ts → linux/<hash>, embox/index.ts →
 * embox/embox-<tree key>. Rumprun's toolchain has an entry of its own (below).
 */
export const CONTENT_CACHE_FOLDERS = ['multiboot', 'linux', 'embox'];
export const EMBOX_DOWNLOAD_FOLDER = 'embox-download';

const sha = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20);

/** The runner image matters for anything compiled: keys carry it. */
function platformTag(env: NodeJS.ProcessEnv = process.env): string {
  return [env['ImageOS'] ?? env['RUNNER_OS'] ?? process.platform, process.arch].join('-').replace(/[^\w.-]+/g, '_');
}

/** Every file named Makefile under `dir` (recursively), hashed with its relative path; '' when none. */
export async function hashMakefiles(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })) as string[];
  } catch {
    return '';
  }
  const makefiles = names.filter((n) => path.basename(n) === 'Makefile').sort();
  if (makefiles.length === 0) return '';
  const hash = createHash('sha256');
  for (const rel of makefiles) hash.update(`${rel}\0`).update(await readFile(path.join(dir, rel))).update('\0');
  return hash.digest('hex').slice(0, 20);
}

async function firstLine(file: string, args: string[], cwd?: string): Promise<string> {
  const result = await execa(file, args, { reject: false, cwd, timeout: 10_000 });
  return result.failed ? '' : String(result.stdout).split('\n')[0]?.trim() ?? '';
}

async function fileText(file: string | undefined): Promise<string> {
  if (!file) return '';
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** The Embox download folder a subject uses: its own setting, else one shared (and cached) folder. */
export function emboxDownloadDir(subject: Subject, inputDir: string | undefined): string {
  return subject.settings['download-dir'] ?? inputDir ?? path.join(bootgateCacheDir(), EMBOX_DOWNLOAD_FOLDER);
}

export interface PlanOptions {
  subjects: readonly Subject[];
  /** commits whose sources are built (base and head, or the one nightly commit) */
  commits: readonly string[];
  /** the repository checkout */
  workspace: string;
  downloadDir: string | undefined;
}

/**
 * What to restore before building: one entry per kind of reusable thing the subjects need.
 * Keys are exact for what a run produces; restore keys fall back to the newest of the same kind,
 * since every builder checks content hashes itself before reusing anything.
 */
export async function planCaches(options: PlanOptions): Promise<CacheEntry[]> {
  const entries: CacheEntry[] = [];
  const tag = platformTag();
  const embox = options.subjects.filter((s) => s.os === 'embox');
  const downloadDirs = [...new Set(embox.map((s) => emboxDownloadDir(s, options.downloadDir)))];
  for (const dir of downloadDirs) {
    const source = embox.find((s) => emboxDownloadDir(s, options.downloadDir) === dir)?.settings.source ?? options.workspace;
    const hash = (await hashMakefiles(path.join(source, 'third-party'))) || 'none';
    const prefix = `bootgate-embox-download-${sha([dir])}-`;
    entries.push({ label: `Embox downloads (${dir})`, key: `${prefix}${hash}`, restoreKeys: [prefix], paths: [dir] });
  }

  // The Rumprun hw toolchain: build-rr.sh installs it in <source>/rumprun (src/build/rumprun/toolchain.ts),
  // keyed by the checkout's commit, the host compiler and the build flags. A subject without `source`
  // builds in bootgate's own pinned checkout (src/build/rumprun/checkout.ts): then the whole checkout
  // is cached (the clone and its toolchain), keyed by the pinned commit, so a PR run neither clones
  // nor rebuilds it.
  const rumprun = options.subjects.filter((s) => s.os === 'rumprun');
  const rumprunSources = [...new Set(rumprun.map((s) => s.settings.source ?? null))];
  for (const given of rumprunSources) {
    const users = rumprun.filter((s) => (s.settings.source ?? null) === given);
    const source = given ?? pinnedRumprunDir(rumprunCheckoutParent());
    const commit = given ? await firstLine('git', ['rev-parse', 'HEAD'], given) : PINNED_RUMPRUN.commit;
    const parts = [source, commit, await firstLine('gcc', ['--version'])];
    for (const s of users) parts.push(String(s.settings['bake-target'] ?? ''), await fileText(s.settings.overrides));
    const prefix = `bootgate-rumprun-toolchain-${tag}-${sha([source])}-`;
    const paths = given ? [path.join(given, 'rumprun')] : [source];
    entries.push({ label: `Rumprun toolchain (${given ? source : `pinned checkout ${PINNED_RUMPRUN.commit.slice(0, 12)}`})`, key: `${prefix}${sha(parts)}`, restoreKeys: [], paths });
  }

  if (options.subjects.length > 0) {
    // Built images: source (tree of each commit) + per-subject template, overrides and build command.
    const parts: string[] = [];
    for (const commit of options.commits) parts.push(await firstLine('git', ['rev-parse', `${commit}^{tree}`], options.workspace));
    for (const s of options.subjects) {
      parts.push(s.name, s.os, s.settings.template ?? '', await fileText(s.settings.overrides), s.settings['build-command'] ?? '');
    }
    parts.push(await firstLine('gcc', ['--version']));
    const prefix = `bootgate-images-${tag}-`;
    const paths = CONTENT_CACHE_FOLDERS.map((f) => path.join(bootgateCacheDir(), f));
    entries.push({ label: 'built images', key: `${prefix}${sha(parts)}`, restoreKeys: [prefix], paths });
  }
  return entries;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Restores each entry; errors become warnings. */
export async function restoreCaches(entries: readonly CacheEntry[]): Promise<CacheState[]> {
  const states: CacheState[] = [];
  if (entries.length === 0) return states;
  if (!cache.isFeatureAvailable()) {
    core.info('cache: the Actions cache service is not available in this run; building without it');
    return entries.map((entry) => ({ entry, hit: null }));
  }
  for (const entry of entries) {
    let hit: string | null = null;
    try {
      hit = (await cache.restoreCache([...entry.paths], entry.key, [...entry.restoreKeys])) ?? null;
      core.info(`cache: ${entry.label}: ${hit ? (hit === entry.key ? 'hit' : `restored ${hit}`) : 'miss'} (${entry.key})`);
    } catch (error) {
      core.warning(`cache: restoring ${entry.label} failed, continuing without it: ${describe(error)}`);
    }
    states.push({ entry, hit });
  }
  return states;
}

/**
 * Saves each entry whose exact key was not restored and that has something to save; errors become
 * warnings. The path list is passed whole even when some folders do not exist: the cache version is
 * a hash of that list, so a restore with the same list must find it.
 */
export async function saveCaches(states: readonly CacheState[]): Promise<void> {
  if (states.length === 0 || !cache.isFeatureAvailable()) return;
  for (const { entry, hit } of states) {
    if (hit === entry.key) continue;
    if (!entry.paths.some((p) => existsSync(p))) continue;
    try {
      const id = await cache.saveCache([...entry.paths], entry.key);
      if (id !== -1) core.info(`cache: saved ${entry.label} (${entry.key})`);
    } catch (error) {
      core.warning(`cache: saving ${entry.label} failed, continuing: ${describe(error)}`);
    }
  }
}
