// Base and head share almost every object file, but each is built in its own work tree, and
// Embox's confload starts build/ afresh: ccache is what lets the head reuse the base's objects.
// Compilers are reached through a folder of `<CROSS_COMPILE>gcc` → ccache links put first on PATH
// (ccache's masquerade mode finds the real compiler further down PATH).
import { mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** `off` turns ccache off (a cold build, for measuring) */
export const CCACHE_SWITCH = 'BOOTGATE_CCACHE';
const COMPILERS = ['gcc', 'g++', 'cc', 'c++'];

async function findCcache(): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'ccache');
    const r = await execa(candidate, ['--version'], { reject: false, stdin: 'ignore' }).catch(() => null);
    if (r && !r.failed) return candidate;
  }
  return null;
}

/** Whether builds go through ccache: installed, and not switched off. */
export async function ccacheAvailable(): Promise<boolean> {
  return process.env[CCACHE_SWITCH] !== 'off' && (await findCcache()) !== null;
}

export interface CcacheSetup {
  /** put first on make's PATH */
  pathDir: string;
  env: Record<string, string>;
  note: string;
}

/**
 * ccache for a build of `workDir` with compilers named `<crossCompile>gcc`; null when ccache is not
 * installed or switched off. Paths under the work tree are hashed relative to it (CCACHE_BASEDIR) and
 * the build folder is left out of the hash (CCACHE_NOHASHDIR: only the debug info's compile folder
 * differs), so the same source in another work tree hits. Embox's own -fmacro-prefix-map already
 * keeps __FILE__ relative.
 */
export async function ccacheSetup(opts: {
  ccacheDir: string;
  linkRoot: string;
  crossCompile: string;
  workDir: string;
}): Promise<CcacheSetup | null> {
  if (process.env[CCACHE_SWITCH] === 'off') return null;
  const ccache = await findCcache();
  if (!ccache) return null;
  const pathDir = path.join(opts.linkRoot, opts.crossCompile.replace(/[^\w.-]/g, '_') || 'host');
  const probe = path.join(pathDir, `${opts.crossCompile}gcc`);
  if ((await readlink(probe).catch(() => null)) !== ccache) {
    const tmp = `${pathDir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const tool of COMPILERS) await symlink(ccache, path.join(tmp, `${opts.crossCompile}${tool}`));
    await rm(pathDir, { recursive: true, force: true });
    await rename(tmp, pathDir);
  }
  await mkdir(opts.ccacheDir, { recursive: true });
  return {
    pathDir,
    env: { CCACHE_DIR: opts.ccacheDir, CCACHE_BASEDIR: opts.workDir, CCACHE_NOHASHDIR: '1' },
    note: `compiling through ccache (${opts.ccacheDir})`,
  };
}
