/**
 * Compiler flags that let an old Rumprun tree (NetBSD sources from 2017–2020) build with a modern
 * host gcc. Pure: the caller probes the gcc version and passes the major number.
 *
 * - gcc ≥ 10 defaults to -fno-common; NetBSD's tools and libc rely on common symbols, so both the
 *   host tools (HOST_CFLAGS) and the target code (buildrump.sh `-F CFLAGS=`) get -fcommon.
 * - NOGCCERROR=1 drops NetBSD's own -Werror (new warnings in old code are not our regressions).
 * - gcc ≥ 14 turns three old warnings into hard errors that -Werror switches do not control;
 *   they are demoted back to warnings.
 */
export const GCC14_DEMOTED_ERRORS = [
  '-Wno-error=implicit-function-declaration',
  '-Wno-error=int-conversion',
  '-Wno-error=incompatible-pointer-types',
] as const;

export interface RumprunBuildOverrides {
  /** replaces the computed HOST_CFLAGS (flags for NetBSD's host tools) */
  hostCflags?: string[];
  /** appended to the computed target CFLAGS (each becomes `-F CFLAGS=<flag>`) */
  extraCflags?: string[];
  /** false: keep NetBSD's -Werror (default true: NOGCCERROR=1) */
  noGccError?: boolean;
}

export interface RumprunBuildFlags {
  /** variables added to the environment of build-rr.sh */
  env: Record<string, string>;
  /** target compiler flags, one per entry */
  targetCflags: string[];
  /** what follows `--` on the build-rr.sh command line: passed on to buildrump.sh */
  buildrumpArgs: string[];
}

export function rumprunBuildEnv(gccVersionMajor: number, overrides: RumprunBuildOverrides = {}): RumprunBuildFlags {
  if (!Number.isInteger(gccVersionMajor) || gccVersionMajor < 1) {
    throw new Error(`rumprunBuildEnv: expected the gcc major version as a positive integer, got ${gccVersionMajor}`);
  }
  const demoted = gccVersionMajor >= 14 ? [...GCC14_DEMOTED_ERRORS] : [];
  const hostCflags = overrides.hostCflags ?? ['-O', '-fcommon', ...demoted];
  const targetCflags = ['-fcommon', ...demoted, ...(overrides.extraCflags ?? [])];
  const env: Record<string, string> = { HOST_CFLAGS: hostCflags.join(' ') };
  if (overrides.noGccError !== false) env.NOGCCERROR = '1';
  // One -F per flag: buildrump.sh appends each to its EXTRA_CFLAGS, no word splitting needed.
  const buildrumpArgs = targetCflags.flatMap((flag) => ['-F', `CFLAGS=${flag}`]);
  return { env, targetCflags, buildrumpArgs };
}

export interface BuildRrOptions {
  /** Rumprun platform; only hw is supported by bootgate */
  platform?: 'hw';
  /** parallel make jobs (build-rr.sh's own default is 4) */
  jobs?: number;
  /** install destination (build-rr.sh -d); default ./rumprun inside the checkout */
  destDir?: string;
}

/** The build-rr.sh argument array: `[-j N] [-d DEST] hw -- <buildrump.sh args>`. */
export function buildRrArgs(flags: RumprunBuildFlags, options: BuildRrOptions = {}): string[] {
  const args: string[] = [];
  if (options.jobs !== undefined) {
    if (!Number.isInteger(options.jobs) || options.jobs < 1) {
      throw new Error(`build-rr.sh jobs: expected a positive integer, got ${options.jobs}`);
    }
    args.push('-j', String(options.jobs));
  }
  if (options.destDir !== undefined) args.push('-d', options.destDir);
  args.push(options.platform ?? 'hw');
  if (flags.buildrumpArgs.length > 0) args.push('--', ...flags.buildrumpArgs);
  return args;
}

/**
 * The major version from `gcc --version` (first line, e.g. "gcc (Debian 12.2.0-14) 12.2.0") or
 * `gcc -dumpversion` ("12", "14.2.0"). Clang is refused: build-rr.sh does not support it.
 */
export function parseGccMajor(versionOutput: string): number {
  const text = versionOutput.trim();
  const firstLine = text.split('\n')[0] ?? '';
  if (/clang/i.test(firstLine)) {
    throw new Error(`the host C compiler is clang ("${firstLine}"); Rumprun's build-rr.sh needs gcc (set CC to a gcc)`);
  }
  const bare = /^(\d+)(\.\d+)*$/.exec(text);
  if (bare) return Number(bare[1]);
  // The version is the last dotted number on the first line; earlier ones may be package revisions.
  const versions = [...firstLine.matchAll(/(?:^|[\s(])(\d+)\.\d+(?:\.\d+)?(?=[\s)]|$)/g)];
  const last = versions.at(-1);
  if (!last)
    throw new Error(
      `could not find a gcc version in "${firstLine}"; expected output of "gcc --version" such as "gcc (Debian 12.2.0-14) 12.2.0"`,
    );
  return Number(last[1]);
}
