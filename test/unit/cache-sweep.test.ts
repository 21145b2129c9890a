import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { LEFTOVER_MIN_AGE_MS, sweepCacheLeftovers } from '../../src/build/cache-sweep.js';

describe('sweepCacheLeftovers', () => {
  it('removes half-made folders of a bootgate that is gone, and nothing else', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'bootgate-sweep-'));
    const dead = Number((await execa('sh', ['-c', 'echo $$'])).stdout.trim());
    const old = (Date.now() - LEFTOVER_MIN_AGE_MS - 60_000) / 1000;
    const make = async (rel: string, age: 'old' | 'new' = 'old'): Promise<void> => {
      const dir = path.join(root, rel);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'partial'), 'x');
      if (age === 'old') await utimes(dir, old, old);
    };
    await make(`embox/embox-aaaa.tmp-${dead}`);
    await make(`rumprun-src/rumprun-b04d42225a12.tmp-${dead}`);
    await make(`multiboot/0123456789abcdef/build-${dead}-1a2b3c4d`);
    await make(`linux/pkg/extract-${dead}-deadbeef`);
    // kept: a live owner, a fresh folder, a finished entry, anything inside a work tree
    await make(`embox/embox-bbbb.tmp-${process.pid}`);
    await make(`embox/embox-cccc.tmp-${dead}`, 'new');
    await make('embox/embox-dddd');
    await make(`worktrees/0123/abcdef012345/build-${dead}-00ff`);
    const logs: string[] = [];
    const removed = await sweepCacheLeftovers(root, (l) => logs.push(l));
    expect(removed.map((p) => path.relative(root, p)).sort()).toEqual([
      `embox/embox-aaaa.tmp-${dead}`,
      `linux/pkg/extract-${dead}-deadbeef`,
      `multiboot/0123456789abcdef/build-${dead}-1a2b3c4d`,
      `rumprun-src/rumprun-b04d42225a12.tmp-${dead}`,
    ]);
    expect((await readdir(path.join(root, 'embox'))).sort()).toEqual([
      `embox-bbbb.tmp-${process.pid}`,
      `embox-cccc.tmp-${dead}`,
      'embox-dddd',
    ]);
    expect(await readdir(path.join(root, 'worktrees/0123/abcdef012345'))).toEqual([`build-${dead}-00ff`]);
    expect(logs).toHaveLength(4);
    expect(logs[0]).toMatch(/left half-made by an earlier bootgate \(pid \d+\) that did not finish/);
  });
});
