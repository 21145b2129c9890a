import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRumprunApp, defaultHttpdAppDir, RumprunAppError } from '../../src/build/rumprun/app.js';

let dir: string;
let toolchain: { binDir: string; gcc: string; bake: string };

async function script(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-rrapp-'));
  const binDir = path.join(dir, 'bin');
  toolchain = { binDir, gcc: path.join(binDir, 'x86_64-rumprun-netbsd-gcc'), bake: path.join(binDir, 'rumprun-bake') };
  // Fake compiler: records its arguments and writes the file named after -o.
  await script(
    toolchain.gcc,
    `printf '%s\\n' "$@" > "${dir}/gcc-args.txt"
while [ $# -gt 0 ]; do [ "$1" = -o ] && echo program > "$2"; shift; done`,
  );
  await mkdir(path.join(dir, 'app', 'httpd'), { recursive: true });
  await writeFile(path.join(dir, 'app', 'httpd', 'httpd.c'), 'int main(void) { return 0; }\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('defaultHttpdAppDir', () => {
  it('finds apps/httpd of the package from src/build/rumprun and from dist/', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    expect(defaultHttpdAppDir()).toBe(path.join(root, 'apps', 'httpd'));
    expect(defaultHttpdAppDir(path.join(root, 'dist'))).toBe(path.join(root, 'apps', 'httpd'));
  });

  it('says where it looked when there is no apps/httpd', () => {
    expect(() => defaultHttpdAppDir(os.tmpdir())).toThrow(/could not find bootgate's apps\/httpd\/httpd.c above/);
  });
});

describe('buildRumprunApp', () => {
  it('compiles with the cross compiler, then runs rumprun-bake <target> <image> <program>', async () => {
    await script(toolchain.bake, `printf '%s\\n' "$@" > "${dir}/bake-args.txt"; echo image > "$2"`);
    const outDir = path.join(dir, 'out');
    const app = await buildRumprunApp({
      toolchain,
      appDir: path.join(dir, 'app', 'httpd'),
      bakeTarget: 'hw_virtio',
      outDir,
    });
    expect(app).toEqual({ program: path.join(outDir, 'httpd'), image: path.join(outDir, 'httpd-hw_virtio.bin') });
    expect((await readFile(path.join(dir, 'gcc-args.txt'), 'utf8')).trim().split('\n')).toEqual([
      '-O2',
      '-Wall',
      '-o',
      app.program,
      'httpd.c',
    ]);
    expect((await readFile(path.join(dir, 'bake-args.txt'), 'utf8')).trim().split('\n')).toEqual([
      'hw_virtio',
      app.image,
      app.program,
    ]);
  });

  it('runs a custom build command with {cc} and {out} replaced', async () => {
    await script(toolchain.bake, 'echo image > "$2"');
    const outDir = path.join(dir, 'out');
    await buildRumprunApp({
      toolchain,
      appDir: path.join(dir, 'app', 'httpd'),
      buildCommand: ['{cc}', '-Os', '-o', '{out}', 'httpd.c'],
      bakeTarget: 'hw_generic',
      outDir,
    });
    expect((await readFile(path.join(dir, 'gcc-args.txt'), 'utf8')).trim().split('\n')).toEqual([
      '-Os',
      '-o',
      path.join(outDir, 'httpd'),
      'httpd.c',
    ]);
  });

  it('fails with the tool output when rumprun-bake fails', async () => {
    await script(toolchain.bake, 'echo ">> ERROR: unknown config hw_virtio" >&2; exit 1');
    const error = (await buildRumprunApp({
      toolchain,
      appDir: path.join(dir, 'app', 'httpd'),
      bakeTarget: 'hw_virtio',
      outDir: path.join(dir, 'out'),
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RumprunAppError);
    expect(error.message).toMatch(
      /^rumprun-bake hw_virtio .*httpd-hw_virtio.bin .*httpd exited with 1:\n>> ERROR: unknown config hw_virtio$/,
    );
  });

  it('fails with the compiler output when compiling fails', async () => {
    await script(toolchain.gcc, 'echo "httpd.c:1: error: expected ;" >&2; exit 1');
    await expect(
      buildRumprunApp({
        toolchain,
        appDir: path.join(dir, 'app', 'httpd'),
        bakeTarget: 'hw_virtio',
        outDir: path.join(dir, 'out'),
      }),
    ).rejects.toThrow(/building httpd .* exited with 1:\nhttpd.c:1: error: expected ;/);
  });

  it('rejects a missing app directory', async () => {
    await expect(
      buildRumprunApp({ toolchain, appDir: path.join(dir, 'nope'), bakeTarget: 'hw_virtio', outDir: dir }),
    ).rejects.toThrow(/app directory .*nope does not exist/);
  });
});
