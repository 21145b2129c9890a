import { describe, expect, it } from 'vitest';
import { moduleBreakdown } from '../../src/measure/modules.js';
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
