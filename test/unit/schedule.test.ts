import { describe, expect, it } from 'vitest';
import { bootSchedule } from '../../src/measure/run.js';

describe('bootSchedule', () => {
  it('runs warm-ups first, then each subject in turn when sequential', () => {
    const s = bootSchedule([{ runs: 2, warmup: 1 }, { runs: 1, warmup: 0 }], 'sequential');
    expect(s.map((x) => `${x.plan}${x.warmup ? 'w' : ''}${x.index}`)).toEqual(['0w0', '0 0'.replace(' ', ''), '01', '10']);
  });

  it('alternates ABBA when interleaved', () => {
    const s = bootSchedule([{ runs: 4, warmup: 1 }, { runs: 4, warmup: 1 }], 'interleaved');
    expect(s.map((x) => (x.warmup ? `w${x.plan}` : `${'AB'[x.plan]}`)).join(' ')).toBe('w0 w1 A B B A A B B A');
  });

  it('continues the ABBA alternation and the indices when the adaptive gate adds pairs', () => {
    // after 3 pairs (A B, B A, A B) the next pair is B A, and its boots are index 3
    const s = bootSchedule([{ runs: 2, warmup: 0 }, { runs: 2, warmup: 0 }], 'interleaved', [3, 3]);
    expect(s.map((x) => `${'AB'[x.plan]}${x.index}`).join(' ')).toBe('B3 A3 A4 B4');
  });
});
