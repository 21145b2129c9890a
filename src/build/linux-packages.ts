// The Linux fixture's Debian/Ubuntu packages: which kernel and busybox versions, `apt-get download`, `dpkg-deb -x`.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeAtomically } from './write-atomically.js';

/** Kernel metapackages this builder knows, tried in order (Debian, then Ubuntu). */
const KERNEL_METAPACKAGES = [
  { meta: 'linux-image-amd64', distro: 'Debian' },
  { meta: 'linux-image-generic', distro: 'Ubuntu' },
];

async function run(
  file: string,
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; missing: boolean; stdout: string; output: string }> {
  const result = await execa(file, args, { reject: false, all: true, cwd, env: { LC_ALL: 'C' } });
  return {
    ok: !result.failed,
    missing: result.code === 'ENOENT',
    stdout: result.stdout,
    output: (result.all ?? '').trim() || (result.message ?? ''),
  };
}

/** The versioned kernel package the distribution's metapackage points at, e.g. linux-image-6.1.0-56-amd64. */
async function findKernelPackage(): Promise<{ pkg: string; abi: string; distro: string }> {
  const tried: string[] = [];
  for (const { meta, distro } of KERNEL_METAPACKAGES) {
    const result = await run('apt-cache', ['depends', meta]);
    if (result.missing) {
      throw new Error(
        'linux fixture: apt-cache is not installed; this fixture needs a Debian or Ubuntu host (apt, dpkg-deb)',
      );
    }
    if (!result.ok) {
      tried.push(`${meta}: ${result.output.split('\n')[0]}`);
      continue;
    }
    const match = /^\s*\|?Depends:\s*(linux-image-(?:unsigned-)?(\d\S*))\s*$/m.exec(result.stdout);
    if (match?.[1] && match[2]) return { pkg: match[1], abi: match[2], distro };
    tried.push(`${meta}: no "Depends: linux-image-<version>" line`);
  }
  throw new Error(
    `linux fixture: cannot find the distribution kernel package (tried ${tried.join('; ')}). ` +
      'Run `apt-get update` first; only Debian (linux-image-amd64) and Ubuntu (linux-image-generic) are supported.',
  );
}

/** Candidate versions of packages (one `apt-cache show` call: each call re-reads the lists, ≈0.7 s). */
async function packageVersions(pkgs: string[]): Promise<Map<string, string>> {
  // Exits non-zero when one name is unknown but still prints the others.
  const result = await run('apt-cache', ['show', '--no-all-versions', ...pkgs]);
  const versions = new Map<string, string>();
  for (const stanza of result.stdout.split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const version = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (name && version && !versions.has(name)) versions.set(name, version);
  }
  return versions;
}

export interface ResolvedPackages {
  pkg: string;
  abi: string;
  version: string;
  /** Ubuntu's separate modules package, null on Debian (modules are in the image package) */
  modulesPkg: { name: string; version: string } | null;
  busyboxVersion: string;
}

const APT_LISTS = '/var/lib/apt/lists';

/** Identity of the apt package lists: changes whenever `apt-get update` changes them. */
async function aptListsKey(): Promise<string | null> {
  try {
    const names = (await readdir(APT_LISTS)).filter((name) => name.includes('Packages')).sort();
    if (names.length === 0) return null;
    const hash = createHash('sha256');
    for (const name of names) {
      const info = await stat(join(APT_LISTS, name));
      hash.update(`${name}:${info.size}:${info.mtimeMs}\n`);
    }
    return hash.digest('hex');
  } catch {
    return null;
  }
}

/**
 * Which packages (and versions) make the fixture. Remembered in <cacheRoot>/packages.json
 * until the apt lists change, so a cached fixture costs no apt-cache call (≈2 s otherwise).
 */
export async function resolvePackages(cacheRoot: string): Promise<ResolvedPackages> {
  const stampFile = join(cacheRoot, 'packages.json');
  const listsKey = await aptListsKey();
  if (listsKey && existsSync(stampFile)) {
    try {
      const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { listsKey?: string; packages?: ResolvedPackages };
      if (stamp.listsKey === listsKey && stamp.packages?.pkg && stamp.packages.version) return stamp.packages;
    } catch {
      // unreadable stamp: resolve again
    }
  }
  const { pkg, abi, distro } = await findKernelPackage();
  const modulesPkg = distro === 'Ubuntu' ? `linux-modules-${abi}` : null;
  const versions = await packageVersions([pkg, 'busybox-static', ...(modulesPkg ? [modulesPkg] : [])]);
  const version = versions.get(pkg);
  if (!version) {
    throw new Error(`linux fixture: \`apt-cache show ${pkg}\` gives no version; run \`apt-get update\` and retry`);
  }
  const busyboxVersion = versions.get('busybox-static');
  if (!busyboxVersion) {
    throw new Error('linux fixture: package busybox-static is unknown to apt; run `apt-get update` and retry');
  }
  const packages: ResolvedPackages = {
    pkg,
    abi,
    version,
    modulesPkg:
      modulesPkg && versions.has(modulesPkg) ? { name: modulesPkg, version: versions.get(modulesPkg)! } : null,
    busyboxVersion,
  };
  if (listsKey) {
    await mkdir(cacheRoot, { recursive: true });
    await writeAtomically(stampFile, Buffer.from(JSON.stringify({ listsKey, packages }, null, 2)));
  }
  return packages;
}

/** `apt-get download` into dir (no root needed, nothing installed); returns the .deb path. */
export async function downloadPackage(pkg: string, version: string, dir: string): Promise<string> {
  // apt names the file <package>_<version, ':' as %3a>_<arch>.deb
  const prefix = `${pkg}_${version.replace(/:/g, '%3a')}_`;
  const existing = (await readdir(dir)).find((name) => name.startsWith(prefix) && name.endsWith('.deb'));
  if (existing) return join(dir, existing);
  const temp = join(dir, `download-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  try {
    const result = await run('apt-get', ['download', `${pkg}=${version}`], temp);
    const deb = (await readdir(temp)).find((name) => name.endsWith('.deb'));
    if (!result.ok || !deb) {
      throw new Error(
        `linux fixture: \`apt-get download ${pkg}=${version}\` failed: ${result.output}\n` +
          'Hint: the package lists may be missing or stale; run `apt-get update` (as root) and retry.',
      );
    }
    await rename(join(temp, deb), join(dir, deb));
    return join(dir, deb);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

export async function extractDeb(deb: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  const result = await run('dpkg-deb', ['-x', deb, into]);
  if (!result.ok) throw new Error(`linux fixture: \`dpkg-deb -x ${deb}\` failed: ${result.output}`);
}
