// actions/cache around what the builders say they leave for a later run (src/build/cache-folders.ts):
// Embox's downloads, images and ccache objects, the Rumprun toolchain. This module only turns their
// folders and identities into cache keys. A cache is an optimisation: any error from the cache
// service is a warning and the run goes on without it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { cacheFoldersOf, type CacheFolders } from '../build/cache-folders.js';
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

const sha = (parts: readonly string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20);

/** The runner image matters for anything compiled: keys carry it. */
function platformTag(env: NodeJS.ProcessEnv = process.env): string {
  return [env['ImageOS'] ?? env['RUNNER_OS'] ?? process.platform, process.arch].join('-').replace(/[^\w.-]+/g, '_');
}

/** `bootgate-<kind>-[<platform>-]<scope hash>-<content hash>`; the restore key is all but the content hash. */
export function cacheEntryOf(folders: CacheFolders): CacheEntry {
  const prefix = `bootgate-${folders.kind}-${folders.compiled ? `${platformTag()}-` : ''}${sha(folders.scope)}-`;
  return {
    label: folders.label,
    key: `${prefix}${sha(folders.content)}`,
    restoreKeys: folders.restoreNewest ? [prefix] : [],
    paths: [...folders.paths],
  };
}

export interface PlanOptions {
  subjects: readonly Subject[];
  /** commits whose sources are built (base and head, or the one nightly commit) */
  commits: readonly string[];
  /** the repository checkout */
  workspace: string;
  downloadDir: string | undefined;
  /** where the gate makes its work trees, when it builds in them */
  worktreeDir?: string;
}

/** What to restore before building: the folders each builder says it fills, one entry each. */
export async function planCaches(options: PlanOptions): Promise<CacheEntry[]> {
  const folders = await cacheFoldersOf(options.subjects, {
    workspace: options.workspace,
    commits: options.commits,
    ...(options.worktreeDir ? { worktreeDir: options.worktreeDir } : {}),
    ...(options.downloadDir ? { downloadDir: options.downloadDir } : {}),
  });
  return folders.map(cacheEntryOf);
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
      core.info(
        `cache: ${entry.label}: ${hit ? (hit === entry.key ? 'hit' : `restored ${hit}`) : 'miss'} (${entry.key})`,
      );
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
