// The export formats (Bencher Metric Format, github-action-benchmark customSmallerIsBetter,
// hyperfine-style CSV and Markdown), checked against the formats' documented shapes.
import { describe, expect, it } from 'vitest';
import type { GuestSpec } from '../../src/boot/guest.js';
import type { BootRecord, SubjectResult } from '../../src/measure/results.js';
import { summarizeSubject } from '../../src/measure/summary.js';
import {
  BMF_MEASURES,
  toBencherMetricFormat,
  toBenchmarkAction,
  toCsv,
  toMarkdownTable,
} from '../../src/report/exports.js';
import { compareResults } from '../../src/compare/index.js';
import { bencherMetricFormat, benchmarkActionCustom } from '../helpers/export-schemas.js';

const guest = {
  qemu: 'qemu-system-i386',
  memoryMb: 64,
  kernel: 'k.elf',
  network: null,
  httpPath: '/',
  extraArgs: [],
  startMarker: 's',
  readyMarker: 'r',
  moduleMarker: 'm',
  timeoutMs: 30_000,
} as unknown as GuestSpec;

function subject(
  name: string,
  times: (number | null)[],
  opts: { http?: boolean; instructions?: number; variant?: 'base' | 'head' } = {},
): SubjectResult {
  const boots: BootRecord[] = times.map((t, index) => ({
    index,
    sequence: index,
    ok: t !== null,
    bootMs: t,
    httpMs: t !== null && opts.http ? t + 20 : null,
    instructions: t !== null ? (opts.instructions ?? null) : null,
    modules: t === null ? [] : [{ name: 'embox.fs.rootfs', ms: t / 3 }],
    error: t === null ? 'timed out' : null,
    log: null,
  }));
  return {
    name,
    os: 'custom',
    variant: opts.variant ?? null,
    ref: null,
    commit: null,
    image: { path: 'k.elf', sizes: { text: 1000, data: 200, bss: 30 } },
    build: { seconds: 12.5, cached: false, log: null },
    guest,
    qemuCommand: [],
    deterministic: opts.instructions !== undefined,
    warmup: [],
    boots,
    summary: summarizeSubject(boots),
  };
}

const fast = subject('fixture', [100, 102, 104, 106, 108], { http: true });
const slow = subject('evil, "name"\n| `x` <b>', [200, 204, 208, 212, 216], { instructions: 123_456 });
const broken = subject('broken', [null, null]);

describe('exports', () => {
  it('Bencher Metric Format: one benchmark per subject, boot/HTTP/instructions/size/build measures', () => {
    const bmf = toBencherMetricFormat([fast, slow, broken]);
    expect(() => bencherMetricFormat.parse(bmf)).not.toThrow();
    expect(Object.keys(bmf)).toEqual(['fixture', 'evil, "name"\n| `x` <b>', 'broken']);
    expect(bmf['broken']).toEqual({
      [BMF_MEASURES.imageSize]: { value: 1230 },
      [BMF_MEASURES.buildTime]: { value: 12.5 },
    }); // no boot succeeded: no time measures
    expect(bmf['fixture']![BMF_MEASURES.boot]).toEqual({
      value: 104,
      lower_value: expect.any(Number),
      upper_value: expect.any(Number),
    });
    expect(bmf['fixture']![BMF_MEASURES.http]!.value).toBe(124);
    expect(bmf['fixture']![BMF_MEASURES.imageSize]).toEqual({ value: 1230 });
    expect(bmf['fixture']![BMF_MEASURES.buildTime]).toEqual({ value: 12.5 });
    expect(bmf['evil, "name"\n| `x` <b>']![BMF_MEASURES.instructions]!.value).toBe(123_456);
  });

  it('github-action-benchmark customSmallerIsBetter: name, unit, value, range, extra', () => {
    const base = [subject('fixture', [100, 101, 102, 103, 104, 105, 106, 107], { variant: 'base' })];
    const head = [subject('fixture', [120, 121, 122, 123, 124, 125, 126, 127], { variant: 'head' })];
    const entries = toBenchmarkAction(head, compareResults(base, head));
    expect(() => benchmarkActionCustom.parse(entries)).not.toThrow();
    const boot = entries.find((e) => e.name === 'fixture: boot (start → ready)')!;
    expect(boot).toMatchObject({ unit: 'ms', value: 123.5 });
    expect(boot.range).toMatch(/^± \d/);
    expect(boot.extra).toContain('vs base +');
    expect(entries.find((e) => e.unit === 'bytes')!.value).toBe(1230);
    expect(() => benchmarkActionCustom.parse(toBenchmarkAction([fast, slow, broken]))).not.toThrow();
  });

  it('CSV as hyperfine: header, one row per subject, RFC 4180 quoting', () => {
    const csv = toCsv([fast, slow, broken]);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'subject,variant,mean_ms,stddev_ms,median_ms,min_ms,max_ms,ci95_low_ms,ci95_high_ms,ok,total,http_median_ms,instructions_median,image_bytes',
    );
    expect(lines[1]).toMatch(/^fixture,,104,3\.16\d*,104,100,108,/);
    expect(csv).toContain('"evil, ""name""\n| `x` <b>",');
    expect(lines.at(-1)).toBe('broken,,,,,,,,,0,2,,,1230');
  });

  it('Markdown as hyperfine: mean ± σ, min, max, relative to the fastest; names cannot break the table', () => {
    const md = toMarkdownTable([slow, fast, broken]);
    const rows = md.trimEnd().split('\n');
    expect(rows[0]).toBe('| Subject | Mean [ms] | Median [ms] | Min [ms] | Max [ms] | Relative |');
    expect(rows[2]).toMatch(
      /^\| `evil, "name" \\\| ˋxˋ <b>` \| 208\.0 ± 6\.3 \| 208\.0 \| 200\.0 \| 216\.0 \| 2\.00 ± 0\.09 \|$/,
    );
    expect(rows[3]).toBe('| `fixture` | 104.0 ± 3.2 | 104.0 | 100.0 | 108.0 | 1.00 |');
    expect(rows[4]).toBe('| `broken` | — | — | — | — | — |');
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(8);
  });
});
