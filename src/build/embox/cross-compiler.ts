// The cross compiler an Embox template names (CROSS_COMPILE in build.conf), found on PATH or mapped
// to the Debian toolchain of the same architecture through a folder of symlinks put first on make's
// PATH. Missing: an error naming the Debian package to install.
import { mkdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { emboxArch } from './arch.js';
import { preprocessText } from './conf-preprocess.js';

export interface CrossCompilerChoice {
  /** CROSS_COMPILE as the template's build.conf sets it ('' = host gcc) */
  wanted: string;
  /** the prefix whose gcc builds it: `wanted`, or the Debian toolchain it was mapped to */
  used: string;
  /** the gcc --version line: part of the build cache key */
  version: string;
  /** folder to put first on PATH (symlinks named `<wanted>gcc` etc. → `<used>gcc`), when mapped */
  pathDir?: string;
  /** one line for the build log */
  note: string;
}

/** binutils and gcc driver names Embox's makefiles call as $(CROSS_COMPILE)<tool> */
const TOOLS = [
  'gcc',
  'g++',
  'cpp',
  'as',
  'ld',
  'ar',
  'nm',
  'objcopy',
  'objdump',
  'ranlib',
  'readelf',
  'size',
  'strip',
  'gcc-ar',
  'gcc-nm',
  'gcc-ranlib',
];

/** ARCH and CROSS_COMPILE of a build.conf (make syntax; `//` comments and #if handled like derive.ts). */
export async function archAndCrossCompile(
  buildConfFile: string,
): Promise<{ arch: string | undefined; crossCompile: string }> {
  const text = await preprocessText(await readFile(buildConfFile, 'utf8'), buildConfFile, path.dirname(buildConfFile));
  const variable = (name: string): string | undefined =>
    new RegExp(String.raw`^[ \t]*(?:export[ \t]+)?${name}[ \t]*[:?]?=[ \t]*(\S*)[ \t]*$`, 'm').exec(text)?.[1];
  return { arch: variable('ARCH'), crossCompile: variable('CROSS_COMPILE') ?? '' };
}

async function gccVersionLine(gcc: string): Promise<string | null> {
  const r = await execa(gcc, ['--version'], { reject: false, stdin: 'ignore' });
  if (r.failed || typeof r.stdout !== 'string') return null;
  return r.stdout.split('\n')[0]!.trim();
}

async function which(tool: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, tool);
    const r = await execa(candidate, ['--version'], { reject: false, stdin: 'ignore' }).catch(() => null);
    if (r && !r.failed) return candidate;
  }
  return null;
}

/** Makes `<dir>/<wanted><tool>` → the installed `<used><tool>` for each tool that exists, atomically. */
async function makeShimDir(dir: string, wanted: string, used: string): Promise<void> {
  const probe = path.join(dir, `${wanted}gcc`);
  const current = await readlink(probe).catch(() => null);
  if (current && path.basename(current) === `${used}gcc`) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const tool of TOOLS) {
    const target = await which(`${used}${tool}`);
    if (target) await symlink(target, path.join(tmp, `${wanted}${tool}`));
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

export class MissingCrossCompilerError extends Error {}

/**
 * Finds the compiler for a template: `<CROSS_COMPILE>gcc` itself, else the Debian toolchain the
 * architecture table names for its ARCH (linked under the wanted name in `shimRoot`).
 */
export async function resolveCrossCompiler(opts: {
  template: string;
  arch: string | undefined;
  crossCompile: string;
  shimRoot: string;
}): Promise<CrossCompilerChoice> {
  const { template, arch, crossCompile: wanted } = opts;
  const direct = await gccVersionLine(`${wanted}gcc`);
  if (direct !== null) {
    return {
      wanted,
      used: wanted,
      version: direct,
      note: wanted ? `cross compiler ${wanted}gcc (${direct})` : `host compiler gcc (${direct})`,
    };
  }
  const known = arch ? (emboxArch(arch)?.compilers ?? []) : [];
  for (const c of known) {
    if (c.prefix === wanted || c.prefix === '') continue;
    const version = await gccVersionLine(`${c.prefix}gcc`);
    if (version === null) continue;
    const pathDir = path.join(opts.shimRoot, wanted.replace(/[^\w.-]/g, '_') || 'host');
    await makeShimDir(pathDir, wanted, c.prefix);
    return {
      wanted,
      used: c.prefix,
      version,
      pathDir,
      note: `CROSS_COMPILE ${wanted} (template ${template}) is not installed; using Debian's ${c.prefix}gcc (${c.debianPackage}: ${version}) under that name, through ${pathDir}`,
    };
  }
  const first = known[0];
  const install = !first
    ? `no Debian package is known for ARCH ${arch ?? '(unset)'}: install a ${wanted}gcc toolchain and put it on PATH`
    : first.prefix === wanted
      ? `install it: apt-get install ${first.debianPackage}`
      : `install ${first.debianPackage} (apt-get install ${first.debianPackage}); bootgate then uses its ${first.prefix}gcc under the name ${wanted}gcc`;
  const what = wanted ? `the cross compiler ${wanted}gcc (CROSS_COMPILE = ${wanted} in its build.conf)` : 'gcc';
  throw new MissingCrossCompilerError(`Embox template ${template} needs ${what}, which is not on PATH; ${install}`);
}
