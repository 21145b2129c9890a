// bench-accuracy --pools: adaptive-gate rows from real boots kept in results files (bench/pools).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realPoolSection } from '../../src/engine/bench-accuracy.js';
import { validDocument, validSubject } from '../helpers/results-doc.js';
import { makeRng } from '../helpers/rng.js';

let dir = '';

async function poolFile(name: string, times: (number | null)[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    JSON.stringify(validDocument([validSubject('embox', name.startsWith('base') ? 'base' : 'head', times)])),
  );
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-pools-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('realPoolSection', () => {
  it('rows for identical images, a shift equal to the threshold and the real head, from the files', async () => {
    const random = makeRng(7).uniform;
    const noisy = (median: number): number[] =>
      Array.from({ length: 60 }, () => median * (1 + 0.015 * (random() - 0.5) * 2));
    const base = await poolFile('base.json', [...noisy(1200), null]);
    const head = await poolFile('head.json', noisy(1260));
    const text = await realPoolSection({ base, head, label: 'a test pool' }, 100);
    expect(text).toContain('### embox, a test pool');
    // the failed boot is not in the pool
    expect(text).toMatch(/base 60 boots \(median 1[12]\d\d\.\d ms/);
    const rows = text
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| head') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| identical images \(base vs base\) \| 0\/100 \(0 %\) \| 100\/100/);
    // 3 % of a ~1200 ms median: about +36 ms, flagged in most gates
    expect(rows[1]).toMatch(/^\| shift equal to the threshold \(base boots \+3\d\.\d ms\) \| (9\d|100)\/100/);
    expect(rows[2]).toMatch(/^\| the real head \(\+\d+\.\d ms in the medians\) \| 100\/100/);
  });

  it('refuses a file with too few boots, naming it', async () => {
    const base = await poolFile('base-small.json', [1200, null]);
    const head = await poolFile('head-ok.json', [1200, 1210, 1220]);
    await expect(realPoolSection({ base, head, label: 'x' }, 10)).rejects.toThrow(
      /base-small\.json: 1 successful boots; a pool needs at least 3/,
    );
  });
});
