import { describe, expect, it } from 'vitest';
import { moduleBreakdown, unattributedInstructions } from '../../src/measure/modules.js';
import type { BootRecord } from '../../src/measure/results.js';
import { summarizeSubject } from '../../src/measure/summary.js';
import { DEFAULT_MODULE_MARKER } from '../../src/boot/guest.js';

const ms = (n: number): bigint => BigInt(n) * 1_000_000n;

describe('moduleBreakdown', () => {
  const lines = [
    { at: ms(0), text: 'Embox kernel start' },
    { at: ms(2), text: '(unit) initializing embox.driver.a' },
    { at: ms(5), text: 'driver a says hello' },
    { at: ms(12), text: '(unit) initializing embox.driver.b' },
    { at: ms(20), text: '(unit) initializing embox.driver.a' },
    { at: ms(21), text: '(unit) initializing embox.last' },
    { at: ms(30), text: 'Starting service: httpd' },
  ];

  it('runs a module to the next module line and the last one to the next line', () => {
    expect(moduleBreakdown(lines, DEFAULT_MODULE_MARKER, ms(0), ms(30))).toEqual([
      { name: 'embox.driver.a', ms: 11 },
      { name: 'embox.driver.b', ms: 8 },
      { name: 'embox.last', ms: 9 },
    ]);
  });

  it('is empty without a marker or a start', () => {
    expect(moduleBreakdown(lines, null, ms(0), ms(30))).toEqual([]);
    expect(moduleBreakdown(lines, DEFAULT_MODULE_MARKER, null, null)).toEqual([]);
  });
});

describe('per-module instructions (deterministic boots)', () => {
  const boot = (instructions: number, modules: Record<string, number>): BootRecord => ({
    index: 0,
    sequence: 0,
    ok: true,
    bootMs: null,
    httpMs: null,
    instructions,
    error: null,
    log: null,
    modules: Object.entries(modules).map(([name, count]) => ({ name, ms: null, instructions: count })),
  });

  it('the rest is the total minus the modules, and absent without per-module counts', () => {
    expect(unattributedInstructions(boot(1000, { a: 300, b: 200 }))).toBe(500);
    expect(unattributedInstructions({ instructions: 1000, modules: [] })).toBeNull();
    expect(
      unattributedInstructions({ instructions: null, modules: [{ name: 'a', ms: null, instructions: 1 }] }),
    ).toBeNull();
    expect(unattributedInstructions({ instructions: 1000, modules: [{ name: 'a', ms: 4.2 }] })).toBeNull();
  });

  it('summarises medians per module, most first, and keeps ms-only summaries for wall-clock modules', () => {
    const summary = summarizeSubject([
      boot(1000, { a: 300, b: 200 }),
      boot(1010, { a: 310, b: 200 }),
      boot(1000, { a: 300, b: 200 }),
    ]);
    expect(summary.moduleInstructions).toEqual([
      { name: 'a', medianInstructions: 300, n: 3 },
      { name: 'b', medianInstructions: 200, n: 3 },
    ]);
    expect(summary.unattributedInstructions).toBe(500);
    expect(summary.modules).toEqual([]);
    expect(summarizeSubject([{ ...boot(1, {}), modules: [{ name: 'x', ms: 2 }] }]).moduleInstructions).toBeUndefined();
  });
});
