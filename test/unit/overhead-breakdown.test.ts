// bench-harness's breakdown of the wall time: every nanosecond between the start and the end of
// the run lands in exactly one step.
import { describe, expect, it } from 'vitest';
import { overheadBreakdown } from '../../src/engine/bench-harness.js';

const ms = (x: number): bigint => BigInt(Math.round(x * 1e6));

describe('overheadBreakdown', () => {
  it('splits two boots into steps whose totals add up to the wall time', () => {
    const boot = (t0: number) => ({
      timeline: {
        begun: ms(t0),
        launched: ms(t0 + 20),
        firstOutput: ms(t0 + 120),
        startAt: ms(t0 + 130),
        readyAt: ms(t0 + 380),
        httpAt: null,
        ended: ms(t0 + 381),
        reaped: ms(t0 + 391),
      },
      reported: ms(t0 + 393),
    });
    const rows = overheadBreakdown([boot(100), boot(500)], ms(0), ms(1000));
    expect(rows[0]).toBe('Where the wall time goes (2 boots, 1.00 s):');
    const totals = rows.filter((r) => /^\| (?!step|---)/.test(r)).map((r) => Number(/\| ([\d.]+) s \|/.exec(r)![1]));
    expect(totals.reduce((a, b) => a + b, 0)).toBeCloseTo(1.0, 2);
    expect(rows.find((r) => r.includes('QEMU start-up'))).toContain('| 100.0 ms | 0.20 s | 20.0 % |');
    expect(rows.find((r) => r.includes('measured interval'))).toContain('| 250.0 ms | 0.50 s | 50.0 % |');
    expect(rows.find((r) => r.startsWith('| setup before'))).toContain('| 0.10 s |');
    expect(rows.find((r) => r.startsWith('| after the last boot'))).toContain('| 0.11 s |');
  });
});
