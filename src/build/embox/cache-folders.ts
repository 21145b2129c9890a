// What Embox builds leave for a later run: the third-party archives make downloads, the built
// images (content-addressed by fingerprint.ts) and ccache's objects.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Subject } from '../../config/subjects.js';
import type { CacheFolders, CacheFoldersContext } from '../cache-folder-types.js';
import { bootgateCacheDir } from '../../config/cache-dir.js';
import { git } from '../git.js';
import { ccacheAvailable } from './ccache.js';
import { hashFolder } from './fingerprint.js';

export const EMBOX_DOWNLOAD_FOLDER = 'embox-download';

/** Built images by cache key (build.ts): embox-<key>/{embox,conf,build.log}. */
export function emboxImagesDir(): string {
  return path.join(bootgateCacheDir(), 'embox');
}

/** ccache's objects, shared by the base and head builds (ccache.ts). */
export function emboxCcacheDir(): string {
  return path.join(bootgateCacheDir(), 'ccache');
}

/** The Embox download folder a subject uses: its own setting, else one shared (and cached) folder. */
export function emboxDownloadDir(subject: Subject, inputDir: string | undefined): string {
  return subject.settings['download-dir'] ?? inputDir ?? path.join(bootgateCacheDir(), EMBOX_DOWNLOAD_FOLDER);
}

/** Every file named Makefile under `dir` (recursively), hashed with its relative path; '' when none. */
export async function hashMakefiles(dir: string): Promise<string> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch {
    return '';
  }
  const makefiles = names.filter((n) => path.basename(n) === 'Makefile').sort();
  if (makefiles.length === 0) return '';
  const hash = createHash('sha256');
  for (const rel of makefiles)
    hash
      .update(`${rel}\0`)
      .update(await readFile(path.join(dir, rel)))
      .update('\0');
  return hash.digest('hex').slice(0, 20);
}

async function gccVersionLine(): Promise<string> {
  const r = await execa('gcc', ['--version'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  return r.failed ? '' : (String(r.stdout).split('\n')[0]?.trim() ?? '');
}

/** The source trees of the commits built: what every Embox build of this run starts from. */
async function commitTrees(context: CacheFoldersContext): Promise<string[]> {
  const trees: string[] = [];
  for (const commit of context.commits)
    trees.push((await git(['rev-parse', `${commit}^{tree}`], { cwd: context.workspace })).stdout);
  return trees;
}

export async function emboxCacheFolders(
  subjects: readonly Subject[],
  context: CacheFoldersContext,
): Promise<CacheFolders[]> {
  if (subjects.length === 0) return [];
  const folders: CacheFolders[] = [];
  // third-party archives: one entry per download folder, identified by the packages' Makefiles
  // (their versions and md5s); make checks each archive's md5 before use, so an older entry helps
  const downloadDirs = [...new Set(subjects.map((s) => emboxDownloadDir(s, context.downloadDir)))];
  for (const dir of downloadDirs) {
    const source =
      subjects.find((s) => emboxDownloadDir(s, context.downloadDir) === dir)?.settings.source ?? context.workspace;
    folders.push({
      label: `Embox downloads (${dir})`,
      kind: 'embox-download',
      paths: [dir],
      scope: [dir],
      content: [(await hashMakefiles(path.join(source, 'third-party'))) || 'none'],
      restoreNewest: true,
      compiled: false,
    });
  }
  const gcc = await gccVersionLine();
  const trees = await commitTrees(context);
  // built images: build.ts keys each by the tree, template, overrides and compilers, and reuses only an exact match
  const content = [...trees, gcc];
  for (const s of subjects)
    content.push(s.name, s.settings.template ?? '', s.settings.overrides ? await hashFolder(s.settings.overrides) : '');
  folders.push({
    label: 'Embox images',
    kind: 'embox-images',
    paths: [emboxImagesDir()],
    scope: [],
    content,
    restoreNewest: true,
    compiled: true,
  });
  if (await ccacheAvailable()) {
    // ccache checks every object by its inputs' hash: any older entry for this compiler helps
    folders.push({
      label: 'Embox ccache',
      kind: 'embox-ccache',
      paths: [emboxCcacheDir()],
      scope: [gcc],
      content: trees,
      restoreNewest: true,
      compiled: true,
    });
  }
  return folders;
}
