import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkRumprunCheckout,
  ensureRumprunToolchain,
  RumprunToolchainError,
} from '../../src/build/rumprun/toolchain.js';
import { createRepo } from '../helpers/fixture-repo.js';

// A fake Rumprun checkout: build-rr.sh is a shell script whose behaviour each test chooses.
let dir: string;
let source: string;
const logs: string[] = [];
const log = (line: string) => logs.push(line);

async function script(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

async function fakeCheckout(buildRr: string): Promise<void> {
  await script(path.join(source, 'build-rr.sh'), buildRr);
  for (const sub of ['src-netbsd', 'buildrump.sh']) {
    await mkdir(path.join(source, sub), { recursive: true });
    await writeFile(path.join(source, sub, 'README'), 'fake\n');
  }
}

// Installs fake tools into the directory given with -d, like build-rr.sh's install step.
const INSTALL = `
dest=
while [ $# -gt 0 ]; do [ "$1" = -d ] && dest=$2; shift; done
mkdir -p "$dest/bin"
printf '#!/bin/sh\\n' > "$dest/bin/x86_64-rumprun-netbsd-gcc"
printf '#!/bin/sh\\n' > "$dest/bin/rumprun-bake"
chmod +x "$dest/bin/x86_64-rumprun-netbsd-gcc" "$dest/bin/rumprun-bake"
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rr-'));
  source = path.join(dir, 'rumprun');
  logs.length = 0;
  await script(path.join(dir, 'cc'), 'echo "gcc (Fake 14.1.0-1) 14.1.0"');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkRumprunCheckout', () => {
  it('refuses a directory without build-rr.sh', async () => {
    await mkdir(source, { recursive: true });
    await expect(checkRumprunCheckout(source)).rejects.toThrow(
      /not a Rumprun checkout \(expected an executable build-rr.sh/,
    );
  });

  it('refuses empty submodule directories and says how to initialise them', async () => {
    await script(path.join(source, 'build-rr.sh'), 'exit 0');
    await mkdir(path.join(source, 'src-netbsd'));
    await mkdir(path.join(source, 'buildrump.sh'));
    const error = await checkRumprunCheckout(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RumprunToolchainError);
    expect((error as Error).message).toMatch(/submodules src-netbsd, buildrump.sh not initialised/);
    expect((error as Error).message).toContain(`run "git submodule update --init" in ${source}`);
  });

  it('refuses what git submodule status reports as not initialised, as build-rr.sh does', async () => {
    await fakeCheckout('exit 0');
    const repo = await createRepo(source);
    // A gitlink for src-netbsd registered in .gitmodules but never initialised.
    await writeFile(
      path.join(source, '.gitmodules'),
      '[submodule "src-netbsd"]\n\tpath = src-netbsd\n\turl = https://example.invalid/src-netbsd\n',
    );
    await rm(path.join(source, 'src-netbsd'), { recursive: true });
    await repo.git('update-index', '--add', '--cacheinfo', `160000,${'b'.repeat(40)},src-netbsd`);
    await mkdir(path.join(source, 'src-netbsd'));
    await writeFile(path.join(source, 'src-netbsd', 'stray'), '');
    const status = await repo.git('submodule', 'status', 'src-netbsd');
    expect(status.startsWith('-')).toBe(true);
    await expect(checkRumprunCheckout(source)).rejects.toThrow(
      /submodule src-netbsd not initialised; run "git submodule update --init"/,
    );
  });

  it('accepts a populated checkout that is not a git repository', async () => {
    await fakeCheckout('exit 0');
    await expect(checkRumprunCheckout(source)).resolves.toEqual([]);
  });
});

describe('ensureRumprunToolchain', () => {
  it('runs build-rr.sh with an argument array and the flags for the probed gcc, then returns the tools', async () => {
    await fakeCheckout(`
printf '%s\\n' "$@" > "${dir}/args.txt"
printf 'HOST_CFLAGS=%s\\nNOGCCERROR=%s\\nCC=%s\\nPWD=%s\\n' "$HOST_CFLAGS" "$NOGCCERROR" "$CC" "$(pwd)" > "${dir}/env.txt"
echo '>> building'
${INSTALL}`);
    const cacheDir = path.join(dir, 'cache', 'rumprun');
    const tc = await ensureRumprunToolchain({ source, log, cacheDir, jobs: 2, cc: path.join(dir, 'cc') });
    expect(tc).toEqual({
      binDir: path.join(cacheDir, 'bin'),
      gcc: path.join(cacheDir, 'bin', 'x86_64-rumprun-netbsd-gcc'),
      bake: path.join(cacheDir, 'bin', 'rumprun-bake'),
      built: true,
    });
    const args = (await readFile(path.join(dir, 'args.txt'), 'utf8')).trim().split('\n');
    expect(args).toEqual([
      '-j',
      '2',
      '-d',
      cacheDir,
      'hw',
      '--',
      '-F',
      'CFLAGS=-fcommon',
      '-F',
      'CFLAGS=-Wno-error=implicit-function-declaration',
      '-F',
      'CFLAGS=-Wno-error=int-conversion',
      '-F',
      'CFLAGS=-Wno-error=incompatible-pointer-types',
    ]);
    const env = await readFile(path.join(dir, 'env.txt'), 'utf8');
    expect(env).toContain('HOST_CFLAGS=-O -fcommon -Wno-error=implicit-function-declaration');
    expect(env).toContain('NOGCCERROR=1');
    expect(env).toContain(`PWD=${source}`);
    expect(logs).toContain('rumprun: >> building');
    expect(await readFile(`${cacheDir}.build.log`, 'utf8')).toContain('>> building');

    // Same commits and flags: reused without running build-rr.sh again.
    await rm(path.join(dir, 'args.txt'));
    const again = await ensureRumprunToolchain({ source, log, cacheDir, jobs: 2, cc: path.join(dir, 'cc') });
    expect(again.built).toBe(false);
    await expect(readFile(path.join(dir, 'args.txt'))).rejects.toThrow();
  });

  it('reuses a toolchain already installed in the checkout without building', async () => {
    await fakeCheckout('echo ran > ran.txt; exit 1');
    await script(path.join(source, 'rumprun', 'bin', 'x86_64-rumprun-netbsd-gcc'), 'exit 0');
    await script(path.join(source, 'rumprun', 'bin', 'rumprun-bake'), 'exit 0');
    const tc = await ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc') });
    expect(tc.built).toBe(false);
    expect(tc.gcc).toBe(path.join(source, 'rumprun', 'bin', 'x86_64-rumprun-netbsd-gcc'));
    expect(logs.some((l) => /reusing the toolchain/.test(l))).toBe(true);
    await expect(readFile(path.join(source, 'ran.txt'))).rejects.toThrow();
  });

  it('rebuilds a toolchain whose first build was killed after installing the tools, instead of trusting it', async () => {
    // build-rr.sh installs the tools, then is stopped before it finishes
    await fakeCheckout(`${INSTALL}\necho '>> installed'; sleep 300`);
    const controller = new AbortController();
    const first = ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc'), signal: controller.signal });
    for (let i = 0; i < 100 && !logs.some((l) => l.includes('>> installed')); i++)
      await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(first).rejects.toThrow(/build-rr.sh was cancelled/);
    await fakeCheckout(`${INSTALL}\necho ran > ran.txt`);
    logs.length = 0;
    const tc = await ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc') });
    expect(tc.built).toBe(true);
    expect(logs.join('\n')).toMatch(/from a build that did not finish \(no completion stamp\); rebuilding/);
    expect(await readFile(path.join(source, 'ran.txt'), 'utf8')).toBe('ran\n');
    // finished now: the next run reuses it
    logs.length = 0;
    expect((await ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc') })).built).toBe(false);
  });

  it('fails with the last 40 lines of the log when build-rr.sh fails', async () => {
    await fakeCheckout(
      'i=1; while [ $i -le 60 ]; do echo "line $i"; i=$((i+1)); done; echo ">> ERROR: boom" >&2; exit 3',
    );
    const error = (await ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc') }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(RumprunToolchainError);
    expect(error.message).toMatch(/^build-rr.sh exited with 3; last 40 lines of .*rumprun.build.log:/);
    const lines = error.message.split('\n').slice(1);
    expect(lines).toHaveLength(40);
    expect(lines.at(-1)).toBe('>> ERROR: boom');
    expect(lines[0]).toBe('line 22');
  });

  it('fails specifically when build-rr.sh succeeds but installs no toolchain', async () => {
    await fakeCheckout('exit 0');
    await expect(ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc') })).rejects.toThrow(
      /build-rr.sh succeeded but .*x86_64-rumprun-netbsd-gcc is missing; expected the toolchain installed in/,
    );
  });

  it('stops build-rr.sh and the processes it started on timeout and on cancel', async () => {
    // A "make" child in the background, as build-rr.sh has; its pid goes to a file.
    await fakeCheckout(`sleep 300 & echo $! > "${dir}/child.pid"; echo '>> started'; wait`);
    // Killed means gone or a zombie (an orphan is reparented to PID 1, which may not reap it).
    const alive = async () => {
      const pid = Number(await readFile(path.join(dir, 'child.pid'), 'utf8'));
      for (let i = 0; i < 20; i++) {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
        if (stat === null || / Z /.test(stat.slice(stat.lastIndexOf(')')))) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
      return true;
    };
    await expect(ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc'), timeoutMs: 1_000 })).rejects.toThrow(
      /build-rr.sh did not finish within .* min and was stopped/,
    );
    expect(await alive()).toBe(false);

    const controller = new AbortController();
    const pending = ensureRumprunToolchain({ source, log, cc: path.join(dir, 'cc'), signal: controller.signal });
    setTimeout(() => controller.abort(), 1_000);
    await expect(pending).rejects.toThrow(/build-rr.sh was cancelled/);
    expect(await alive()).toBe(false);
  });

  it('refuses clang as the host compiler before building', async () => {
    await fakeCheckout('exit 0');
    await script(path.join(dir, 'clang'), 'echo "clang version 17.0.6"');
    await expect(ensureRumprunToolchain({ source, log, cc: path.join(dir, 'clang') })).rejects.toThrow(
      /clang.*needs gcc/,
    );
  });
});
