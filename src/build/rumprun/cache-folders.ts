// What Rumprun builds leave for a later run: the hw toolchain (4–5 min of build-rr.sh), where
// ensureRumprunToolchain installs it, identified as its stamp identifies it (toolchain.ts).
import path from 'node:path';
import type { Subject } from '../../config/subjects.js';
import type { SubjectSettings } from '../../config/schema.js';
import type { CacheFolders, CacheFoldersContext } from '../cache-folder-types.js';
import { PINNED_RUMPRUN, pinnedRumprunDir, rumprunCheckoutParent } from './checkout.js';
import { buildIdentity, toolchainBuildFlags, toolchainInstallDir, type EnsureToolchainOptions } from './toolchain.js';

/** The toolchain options prepareRumprun builds a subject's checkout with. */
export function rumprunToolchainOptions(
  source: string,
  settings: SubjectSettings,
): Pick<EnsureToolchainOptions, 'source' | 'jobs'> {
  return { source, ...(settings.jobs !== undefined ? { jobs: settings.jobs } : {}) };
}

function insideRepo(repo: string, file: string): string | null {
  const rel = path.relative(repo, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? null : rel;
}

export async function rumprunCacheFolders(
  subjects: readonly Subject[],
  context: CacheFoldersContext,
): Promise<CacheFolders[]> {
  const folders: CacheFolders[] = [];
  const seen = new Set<string>();
  const add = async (
    source: string,
    settings: SubjectSettings,
    what: string,
    identity: (flags: { args: string[]; env: Record<string, string> }) => Promise<string[]>,
    paths?: string[],
  ): Promise<void> => {
    if (seen.has(source)) return;
    seen.add(source);
    const options = rumprunToolchainOptions(source, settings);
    const flags = await toolchainBuildFlags(options);
    folders.push({
      label: `Rumprun toolchain (${what})`,
      kind: 'rumprun-toolchain',
      paths: paths ?? [toolchainInstallDir(options)],
      scope: [source],
      content: await identity(flags),
      restoreNewest: false,
      compiled: true,
    });
  };
  for (const s of subjects) {
    const given = s.settings.source;
    if (given === undefined) {
      // bootgate's own pinned clone: the checkout and the toolchain inside it are cached together
      const dir = pinnedRumprunDir(rumprunCheckoutParent());
      await add(
        dir,
        s.settings,
        `pinned checkout ${PINNED_RUMPRUN.commit.slice(0, 12)}`,
        (f) => Promise.resolve([PINNED_RUMPRUN.commit, JSON.stringify(f)]),
        [dir],
      );
      continue;
    }
    if (context.worktreeDir === undefined || insideRepo(context.workspace, given) === null) {
      await add(given, s.settings, given, async (f) => [await buildIdentity(given, f.args, f.env)]);
      continue;
    }
    // A checkout inside the repository is built in each commit's work tree, which the gate creates
    // after the restore: a restored <work tree>/<source>/rumprun would make `git worktree add`
    // refuse the folder. Not cached (yet): the toolchain is built per work tree.
  }
  return folders;
}
