import { describe, expect, it } from 'vitest';
import type { BootInstrument } from '../../src/boot/boot-once.js';
import { bootSchedule, parallelGroups } from '../../src/measure/run.js';

const counted = {
  args: () => [],
  attach: async () => ({ instructions: 0, modules: null }),
  release: async () => undefined,
} satisfies BootInstrument;

describe('bootSchedule', () => {
  it('runs warm-ups first, then each subject in turn when sequential', () => {
    const s = bootSchedule(
      [
        { runs: 2, warmup: 1 },
        { runs: 1, warmup: 0 },
      ],
      'sequential',
    );
    expect(s.map((x) => `${x.plan}${x.warmup ? 'w' : ''}${x.index}`)).toEqual([
      '0w0',
      '0 0'.replace(' ', ''),
      '01',
      '10',
    ]);
  });

  it('alternates ABBA when interleaved', () => {
    const s = bootSchedule(
      [
        { runs: 4, warmup: 1 },
        { runs: 4, warmup: 1 },
      ],
      'interleaved',
    );
    expect(s.map((x) => (x.warmup ? `w${x.plan}` : `${'AB'[x.plan]}`)).join(' ')).toBe('w0 w1 A B B A A B B A');
  });

  it('continues the ABBA alternation and the indices when the adaptive gate adds pairs', () => {
    // after 3 pairs (A B, B A, A B) the next pair is B A, and its boots are index 3
    const s = bootSchedule(
      [
        { runs: 2, warmup: 0 },
        { runs: 2, warmup: 0 },
      ],
      'interleaved',
      [3, 3],
    );
    expect(s.map((x) => `${'AB'[x.plan]}${x.index}`).join(' ')).toBe('B3 A3 A4 B4');
  });
});

describe('parallelGroups', () => {
  const shape = (groups: ReturnType<typeof parallelGroups>): string[] =>
    groups.map((g) => `${g.first}:${g.slots.length}x${g.lanes}`);

  it('runs consecutive deterministic boots side by side, as many at once as the plan allows', () => {
    const schedule = bootSchedule([{ runs: 5, warmup: 1 }], 'sequential');
    expect(shape(parallelGroups(schedule, [{ instrument: counted, parallel: 2 }]))).toEqual(['0:6x2']);
    expect(shape(parallelGroups(schedule, [{ instrument: counted, parallel: 8 }]))).toEqual(['0:6x6']);
    expect(shape(parallelGroups(schedule, [{ instrument: counted, parallel: 1 }]))).toEqual([
      '0:1x1',
      '1:1x1',
      '2:1x1',
      '3:1x1',
      '4:1x1',
      '5:1x1',
    ]);
  });

  it('keeps every wall-clock boot alone, even between deterministic ones', () => {
    const schedule = bootSchedule(
      [
        { runs: 2, warmup: 0 },
        { runs: 2, warmup: 0 },
      ],
      'interleaved',
    );
    // A B B A: plan 0 wall-clock, plan 1 deterministic
    expect(shape(parallelGroups(schedule, [{}, { instrument: counted, parallel: 4 }]))).toEqual([
      '0:1x1',
      '1:2x2',
      '3:1x1',
    ]);
    // two deterministic plans: the less parallel one sets the lanes
    expect(
      shape(
        parallelGroups(schedule, [
          { instrument: counted, parallel: 3 },
          { instrument: counted, parallel: 2 },
        ]),
      ),
    ).toEqual(['0:4x2']);
  });
});
