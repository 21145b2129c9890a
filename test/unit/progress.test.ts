// The CLI's progress display: a status line with the build's elapsed time and a boot bar with an
// ETA on a terminal; plain lines otherwise; colour only on a terminal and never with NO_COLOR.
import { describe, expect, it } from 'vitest';
import type { BootProgress } from '../../src/measure/run.js';
import { bar, colourEnabled, createReporter, formatDuration } from '../../src/report/progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 120, write: (text: string) => chunks.push(text) > 0 };
}

const boot = (index: number, of: number, ok = true, variant: 'base' | 'head' | null = null): BootProgress => ({
  subject: 'fixture',
  variant,
  warmup: false,
  index,
  of,
  record: {
    index,
    sequence: index,
    ok,
    bootMs: ok ? 250 : null,
    httpMs: null,
    instructions: null,
    modules: [],
    error: ok ? null : 'timed out\nserial tail',
    log: null,
  },
});

describe('progress', () => {
  it('not a terminal: one plain line per log line and per boot, no escape codes', () => {
    const out = stream(false);
    const r = createReporter({ stream: out, env: {} });
    r.log('building fixture: make');
    r.onBoot(boot(0, 2));
    r.onBoot(boot(1, 2, false));
    r.done();
    expect(out.chunks.join('')).toBe(
      'building fixture: make\nfixture boot 1/2: boot 250.0 ms\nfixture boot 2/2: FAILED — timed out\n',
    );
  });

  it('quiet, not a terminal: only failures', () => {
    const out = stream(false);
    const r = createReporter({ stream: out, quiet: true, env: {} });
    r.log('building');
    r.onBoot(boot(0, 2));
    r.onBoot(boot(1, 2, false));
    expect(out.chunks.join('')).toBe('fixture boot 2/2: FAILED — timed out\n');
  });

  it('a terminal: the build status shows the elapsed time, the boots a bar with an ETA, then the line is cleared', () => {
    const out = stream(true);
    let now = 1_000_000;
    const r = createReporter({ stream: out, env: { NO_COLOR: '1' }, now: () => now });
    r.log('embox: make -j2');
    now += 65_000;
    r.log('embox: still building');
    expect(out.chunks.at(-1)).toBe('\r\u001b[2Kbuilding 1m 05s embox: still building');
    r.onBoot(boot(0, 4, true, 'base'));
    now += 2000;
    r.onBoot(boot(0, 4, true, 'head'));
    now += 2000;
    r.onBoot(boot(1, 4, true, 'base'));
    // 8 boots planned (4 base + 4 head), 3 done, 2 s per boot → 10 s left
    expect(out.chunks.at(-1)).toMatch(
      /^\r\u001b\[2Kboots \[#{8}\.{12}\] 3\/8 ETA 10s fixture \[base\] boot 2\/4: boot 250\.0 ms$/,
    );
    r.done();
    expect(out.chunks.at(-1)).toBe('\r\u001b[2K');
    expect(out.chunks.join('')).not.toMatch(/\u001b\[3\dm/); // NO_COLOR
  });

  it('colour only on a terminal without NO_COLOR (any non-empty value) and not for TERM=dumb', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    const out = stream(true);
    const r = createReporter({ stream: out, env: {} });
    r.onBoot(boot(0, 1, false));
    r.done();
    expect(out.chunks.join('')).toContain('\u001b[31mfixture boot 1/1: FAILED');
  });

  it('formats durations and bars', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(3_725_000)).toBe('62m 05s');
    expect(bar(0, 0, 4)).toBe('[....]');
    expect(bar(3, 4, 4)).toBe('[###.]');
    expect(bar(9, 4, 4)).toBe('[####]');
  });
});
