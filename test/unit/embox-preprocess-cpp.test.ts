import { readdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessFile } from '../../src/build/embox/conf-preprocess.js';

/**
 * The conf preprocessor against gcc's: the same text as `gcc -x c -E -P -undef -nostdinc` (C mode,
 * as scripts/qemu/auto_qemu runs it; -undef, as Embox's build does) on every conf file given.
 * Whitespace is compared loosely: `-P` drops blank lines and gcc re-spaces tokens, and no reader
 * of the output cares. BOOTGATE_EMBOX_TREE=/path/to/embox adds every template conf of a real
 * Embox tree (CI has none; docs/embox.md has the result).
 */
const FIXTURES = path.resolve('test/fixtures-data/embox');
/** -undef: no predefined macros (`linux`, `unix` would otherwise become 1), as Embox's build runs it */
const GCC_FLAGS = process.env.BOOTGATE_CPP_PREDEFINED ? [] : ['-undef'];

const SYNTHETIC: Record<string, string> = {
  'common.inc': '/* shared */\n#define RAM_SIZE 64M\n#define HEAP 0x1000\n',
  'lds.conf': [
    '#include "common.inc"',
    '#if defined(RAM_SIZE) && (HEAP * 2 >= 0x2000) || UNDEFINED_NAME',
    'RAM (0x00100000, RAM_SIZE) // the region derive.ts reads',
    '#elif HEAP',
    'RAM (0, 1M)',
    '#else',
    'RAM (0, 2M)',
    '#endif',
    'section(text, ROM, ROM) /* a comment',
    '  over two lines */ section(data, RAM, ROM)',
  ].join('\n'),
  'mods.conf': [
    'package genconfig',
    '#ifndef NO_NET',
    'configuration conf {',
    '\tinclude embox.driver.net.virtio \\',
    '\t\t(log_level=1)',
    '\t@Runlevel(2) include embox.cmd.net.httpd(use_cgi=true, name="http://x/*y*/")',
    '#  ifdef RAM_SIZE',
    '\tinclude embox.mem.heap(size=RAM_SIZE)',
    '#  endif',
    '}',
    '#endif',
    '#undef HEAP',
    '#if !defined HEAP && ~0 != 0 && (3 % 2 ? 1 : 0) && (1 << 4) == 16',
    'include test.after_undef',
    '#endif',
  ].join('\n'),
  'build.conf': 'TARGET = embox\n\nARCH = x86\n#include <common.inc>\nCFLAGS += -O2 -DHEAP_SIZE=HEAP\n',
};

/**
 * gcc's text for `file`. An unknown directive (`#CFLAGS += …`: a make comment, in a few of
 * Embox's build.conf files) is an error to gcc in C mode, which still prints the rest: that text
 * is what auto_qemu reads, and what ours gives. Any other error fails.
 */
async function gccText(file: string, confDir: string): Promise<string> {
  const result = await execa('gcc', ['-x', 'c', '-E', '-P', ...GCC_FLAGS, '-nostdinc', '-I', confDir, file], {
    reject: false,
    stdin: 'ignore',
  });
  const errors = String(result.stderr)
    .split('\n')
    .filter((l) => / error: /.test(l) && !/invalid preprocessing directive/.test(l));
  if (result.exitCode !== 0 && (errors.length > 0 || result.stdout === ''))
    throw new Error(`gcc -E ${file}: ${result.stderr}`);
  return result.stdout;
}

/** Lines with content, each with its runs of blanks folded to one space. */
const normal = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim().replace(/[ \t]+/g, ' '))
    .filter(Boolean);

/** Every *.conf and *.inc straight inside `dir`'s template folders (or `dir` itself). */
async function confFolders(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'build.conf')) found.push(dir);
    for (const e of entries) if (e.isDirectory() && !e.isSymbolicLink()) await walk(path.join(dir, e.name));
  };
  await walk(root);
  return found;
}

async function compareFolder(
  dir: string,
): Promise<{ file: string; same: boolean; ours?: string[]; gcc?: string[]; error?: string }[]> {
  const files = (await readdir(dir)).filter((n) => /\.(conf|inc)$/.test(n)).map((n) => path.join(dir, n));
  const out = [];
  for (const file of files) {
    const [ours, reference] = await Promise.allSettled([
      preprocessFile(file, { includeDirs: [dir] }),
      gccText(file, dir),
    ]);
    if (ours.status === 'rejected' || reference.status === 'rejected') {
      // both refusing (e.g. an #error) is agreement
      const same = ours.status === 'rejected' && reference.status === 'rejected';
      out.push({
        file,
        same,
        error: [ours, reference].map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join(' | '),
      });
      continue;
    }
    const a = normal(ours.value);
    const b = normal(reference.value);
    out.push({ file, same: JSON.stringify(a) === JSON.stringify(b), ours: a, gcc: b });
  }
  return out;
}

let synthetic = '';
beforeAll(async () => {
  synthetic = await mkdtemp(path.join(os.tmpdir(), 'bootgate-conf-cpp-'));
  for (const [name, text] of Object.entries(SYNTHETIC)) await writeFile(path.join(synthetic, name), text);
});
afterAll(async () => {
  await rm(synthetic, { recursive: true, force: true });
});

describe('conf preprocessor = gcc -E -P -undef', () => {
  it('on the Embox confs under test/fixtures-data and on synthetic confs using every feature', async () => {
    const folders = [...(await confFolders(FIXTURES)), synthetic];
    expect(folders.length).toBeGreaterThanOrEqual(4);
    for (const folder of folders) {
      for (const r of await compareFolder(folder)) {
        expect({ file: r.file, ours: r.ours, error: r.error }).toEqual({ file: r.file, ours: r.gcc, error: r.error });
      }
    }
  });

  const tree = process.env.BOOTGATE_EMBOX_TREE;
  // By hand only (CI has no Embox tree): declared when BOOTGATE_EMBOX_TREE names one, not skipped.
  if (tree !== undefined && existsSync(tree))
    it('on every template conf of the Embox tree in BOOTGATE_EMBOX_TREE', async () => {
      const folders = [
        ...(await confFolders(path.join(tree, 'templates'))),
        ...(existsSync(path.join(tree, 'project')) ? await confFolders(path.join(tree, 'project')) : []),
        ...(existsSync(path.join(tree, 'platform')) ? await confFolders(path.join(tree, 'platform')) : []),
      ];
      const results = (await Promise.all(folders.map(compareFolder))).flat();
      const differing = results.filter((r) => !r.same);
      console.log(
        `${folders.length} templates, ${results.length} conf files: ${results.length - differing.length} the same as gcc -E, ${differing.length} differ`,
      );
      for (const r of differing.slice(0, 20))
        console.log(
          r.file,
          r.error ?? '',
          JSON.stringify(r.ours?.filter((l) => !r.gcc?.includes(l)).slice(0, 3)),
          JSON.stringify(r.gcc?.filter((l) => !r.ours?.includes(l)).slice(0, 3)),
        );
      expect(differing.map((r) => r.file)).toEqual([]);
    }, 600_000);
});
