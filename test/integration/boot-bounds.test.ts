import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { bootOnce } from '../../src/boot/boot-once.js';
import { MAX_LINE_CHARS } from '../../src/boot/serial.js';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';
import { CLI } from '../helpers/fixture-repo.js';
import { multibootGuest } from '../helpers/guests.js';
import { processesMentioning } from '../helpers/processes.js';

/** A module line "(unit) initializing aaaa…a" (40 a's): `(a+)+b` backtracks 2^40 times on it. */
const LONG_RUN = 'a'.repeat(40);
const PATHOLOGICAL = '(a+)+b';

async function waitForQemu(kernel: string): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const pids = await processesMentioning(kernel);
    if (pids.length > 0) return pids;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no QEMU booting ${kernel} appeared`);
}

describe('bounded work on any guest output (real QEMU)', () => {
  it('cuts the serial output of a guest that never prints a newline into bounded lines', async () => {
    const fixture = await buildMultibootFixture({ flood: true });
    const outcome = await bootOnce(multibootGuest(fixture, { timeoutMs: 4000 }));
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/timed out after 4 s/);
    const longest = Math.max(...outcome.lines.map((l) => l.text.length));
    const total = outcome.lines.reduce((sum, l) => sum + l.text.length, 0);
    // the guest printed several full lines' worth in 4 s, and none of them is longer than the cap
    expect(total).toBeGreaterThan(MAX_LINE_CHARS);
    expect(longest).toBe(MAX_LINE_CHARS);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });

  it('a catastrophically backtracking ready marker does not stop the boot timeout', async () => {
    const fixture = await buildMultibootFixture({ modules: [{ name: LONG_RUN, iterations: 1000 }], hang: true });
    const began = Date.now();
    const outcome = await bootOnce(multibootGuest(fixture, { readyMarker: PATHOLOGICAL, timeoutMs: 2000 }));
    const seconds = (Date.now() - began) / 1000;
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/timed out after 2 s/);
    // within a second of the timeout (plus start-up of QEMU and the matcher on a busy machine)
    expect(seconds).toBeLessThan(2 + 1 + 2);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });

  it('a catastrophically backtracking marker does not stop SIGTERM: the CLI exits 130 at once, QEMU gone', async () => {
    const fixture = await buildMultibootFixture({ modules: [{ name: LONG_RUN, iterations: 1000 }], hang: true });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-regex-'));
    const child = execa(
      'node',
      [
        CLI,
        'measure',
        '--os',
        'custom',
        '--kernel',
        fixture.kernel,
        '--qemu',
        'qemu-system-i386',
        '--memory',
        '64',
        '--no-network',
        '--start-marker',
        'bootgate-fixture: kernel start',
        '--ready-marker',
        PATHOLOGICAL,
        '--runs',
        '3',
        '--warmup',
        '0',
        '--timeout',
        '60',
        '--json',
        path.join(dir, 'out.json'),
      ],
      { reject: false },
    );
    await waitForQemu(fixture.kernel);
    // let the module line reach the matcher
    await new Promise((r) => setTimeout(r, 1500));
    const sent = Date.now();
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect((Date.now() - sent) / 1000).toBeLessThan(3);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });
});
