// Base and head are built in two work trees: with ccache, the second build of the same sources in
// another folder compiles nothing (real make, gcc and ccache on a small Embox-shaped tree).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEmbox } from '../../src/build/embox/build.js';

const dirs: string[] = [];
afterEach(async () => {
  delete process.env['BOOTGATE_CCACHE'];
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

// absolute include paths and the object's path, as Embox's make passes them
const MAKEFILE = [
  'all:',
  '\tmkdir -p build/base/bin build/base/obj',
  '\tgcc -O1 -g -I$(CURDIR)/include -c -o $(CURDIR)/build/base/obj/a.o $(CURDIR)/src/a.c',
  '\tcp build/base/obj/a.o build/base/bin/embox',
  'confload-x86/qemu:',
  '\trm -rf conf build',
  '\tmkdir -p conf',
  '\tcp -R templates/x86/qemu/. conf/',
  '',
].join('\n');

async function tree(parent: string, name: string, source: string): Promise<string> {
  const dir = path.join(parent, name);
  const files: Record<string, string> = {
    Makefile: MAKEFILE,
    'mk/main.mk': '# confload\n',
    'templates/x86/qemu/build.conf': 'ARCH = x86\n',
    'include/a.h': '#define SCALE 3\n',
    'src/a.c': source,
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

async function stats(ccacheDir: string): Promise<{ hits: number; misses: number }> {
  const r = await execa('ccache', ['--print-stats'], { env: { CCACHE_DIR: ccacheDir } });
  const value = (name: string): number => Number(new RegExp(`^${name}\\t(\\d+)$`, 'm').exec(r.stdout)?.[1] ?? 0);
  return { hits: value('direct_cache_hit') + value('preprocessed_cache_hit'), misses: value('cache_miss') };
}

const hasTools = Promise.all(['make', 'gcc', 'ccache'].map((t) => execa(t, ['--version'], { reject: false }))).then(
  (rs) => rs.every((r) => r.exitCode === 0),
);

describe('Embox builds through ccache', async () => {
  it.skipIf(!(await hasTools))(
    'the head work tree reuses the objects the base work tree compiled; a changed file is compiled again',
    async () => {
      const parent = await tempDir('bootgate-ccache-');
      const ccacheDir = path.join(parent, 'ccache');
      const source = '#include "a.h"\nint scaled(int x) { return x * SCALE; }\n';
      const build = async (dir: string): Promise<{ log: string[]; image: string }> => {
        const log: string[] = [];
        // no image cache: the same sources would be an image cache hit before any compiler runs
        const r = await buildEmbox({ source: dir, template: 'x86/qemu', jobs: 1, ccacheDir, log: (l) => log.push(l) });
        return { log, image: r.image };
      };
      const base = await build(await tree(parent, 'base', source));
      expect(base.log.join('\n')).toContain(`embox: compiling through ccache (${ccacheDir})`);
      expect(await stats(ccacheDir)).toEqual({ hits: 0, misses: 1 });
      // another folder, the same sources (a head that changed something the compiler does not see)
      const head = await build(await tree(parent, 'head', source));
      expect(await stats(ccacheDir)).toEqual({ hits: 1, misses: 1 });
      expect((await readFile(head.image)).length).toBeGreaterThan(0);
      await build(await tree(parent, 'changed', `${source}int other(void) { return 1; }\n`));
      expect(await stats(ccacheDir)).toEqual({ hits: 1, misses: 2 });
    },
  );

  it.skipIf(!(await hasTools))('BOOTGATE_CCACHE=off builds without it', async () => {
    process.env['BOOTGATE_CCACHE'] = 'off';
    const parent = await tempDir('bootgate-cc-off-');
    const log: string[] = [];
    await buildEmbox({
      source: await tree(parent, 'base', 'int x;\n'),
      template: 'x86/qemu',
      jobs: 1,
      ccacheDir: path.join(parent, 'ccache'),
      log: (l) => log.push(l),
    });
    expect(log.join('\n')).not.toContain('compiling through ccache');
    expect(log.join('\n')).toContain('embox: make -j1');
  });
});
