import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  evalCondition,
  joinContinuations,
  preprocessFile,
  preprocessText,
  stripComments,
} from '../../src/build/embox/conf-preprocess.js';

const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-cpp-'));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

const lines = (s: string): string[] =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

describe('conf preprocessor', () => {
  it('joins continuations before removing comments, like cpp', () => {
    expect(joinContinuations('a \\\nb\r\nc\\  \nd')).toBe('a b\ncd');
    // a // comment continued by a backslash swallows the next line too
    expect(lines(stripComments(joinContinuations('x // note \\\ny\nz')))).toEqual(['x', 'z']);
  });

  it('strips block and line comments but not inside strings', () => {
    const out = stripComments('a /* b\nc */ d\n"http://x" // e\n"/* kept */"');
    expect(out.split('\n')).toHaveLength(4);
    // as in C, the comment is one space and what follows it stays on its line; the lines keep their count
    expect(lines(out)).toEqual(['a   d', '"http://x"', '"/* kept */"']);
  });

  it('expands object-like #defines outside strings and honours #undef', async () => {
    const out = await preprocessText(
      '#define SIZE 64M\n#define ALIAS SIZE\nRAM (0, ALIAS) "SIZE"\n#undef SIZE\nX SIZE',
      't',
      '/',
    );
    expect(lines(out)).toEqual(['RAM (0, 64M) "SIZE"', 'X SIZE']);
  });

  it('does not expand function-like macros', async () => {
    expect(lines(await preprocessText('#define F(x) x\nF(1)', 't', '/'))).toEqual(['F(1)']);
  });

  it('handles #if / #ifdef / #ifndef / #elif / #else, nested', async () => {
    const text = [
      '#define A 2',
      '#if A > 1 && !defined(B)',
      'one',
      '#ifdef B',
      'no',
      '#else',
      'two',
      '#endif',
      '#elif 1',
      'no',
      '#else',
      'no',
      '#endif',
      '#ifndef A',
      'no',
      '#endif',
      '#if 0',
      '#if 1',
      'no',
      '#endif',
      '#endif',
    ].join('\n');
    expect(lines(await preprocessText(text, 't', '/'))).toEqual(['one', 'two']);
  });

  it('evaluates #if expressions like C', () => {
    const m = new Map([['X', '3']]);
    expect(evalCondition('X == 3 ? 0 : 1', m, 't')).toBe(false);
    expect(evalCondition('(X << 2) == 12 && defined X', m, 't')).toBe(true);
    expect(evalCondition('UNDEFINED_NAME', m, 't')).toBe(false);
    expect(evalCondition('0x10 % 5 == 1UL', m, 't')).toBe(true);
    expect(() => evalCondition('"str"', m, 't')).toThrow(/cannot evaluate #if "str"/);
    expect(() => evalCondition('1 +', m, 't')).toThrow(/malformed/);
  });

  it('includes files relative to the includer, then the include folders', async () => {
    const dir = await tree({
      'main.conf': '#include "a.inc"\n#include <b.inc>\nMAIN',
      'a.inc': 'A /* from a */',
      'b.inc': '#define V 7\nB V',
    });
    expect(lines(await preprocessFile(path.join(dir, 'main.conf'), { includeDirs: [dir] }))).toEqual([
      'A',
      'B 7',
      'MAIN',
    ]);
  });

  it('reports missing includes, include cycles and unbalanced #if with file and line', async () => {
    const dir = await tree({
      'x.conf': 'ok\n#include "gone.inc"',
      'loop.conf': '#include "loop.conf"',
      'open.conf': '#if 1\nx',
    });
    await expect(preprocessFile(path.join(dir, 'x.conf'))).rejects.toThrow(/x\.conf:2: #include "gone\.inc" not found/);
    await expect(preprocessFile(path.join(dir, 'loop.conf'))).rejects.toThrow(/includes itself/);
    await expect(preprocessFile(path.join(dir, 'open.conf'))).rejects.toThrow(/open\.conf: missing #endif/);
    await expect(preprocessFile(path.join(dir, 'none.conf'))).rejects.toThrow(/none\.conf: cannot read \(ENOENT\)/);
  });

  it('leaves make comments and #error alone only when not live', async () => {
    expect(lines(await preprocessText('# a make comment\nARCH = x86\n#if 0\n#error never\n#endif', 't', '/'))).toEqual([
      'ARCH = x86',
    ]);
    await expect(preprocessText('#error stop here', 't', '/')).rejects.toThrow(/t:1: #error stop here/);
  });
});
