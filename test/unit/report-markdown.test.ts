// The Markdown report, fed with hand-built results documents run through the real compareResults.
import { describe, expect, it } from 'vitest';
import type { GuestSpec } from '../../src/boot/guest.js';
import type { BootRecord, ResultsDocument, SubjectResult } from '../../src/measure/results.js';
import { RESULTS_SCHEMA } from '../../src/measure/results.js';
import { summarizeSubject } from '../../src/measure/summary.js';
import { codeBlock, escapeMarkdown, inlineCode } from '../../src/report/escape.js';
import {
  formatCi,
  formatP,
  GITHUB_COMMENT_LIMIT,
  renderGateReport,
  renderMeasureReport,
  REPORT_MARKER,
  reportMarker,
  TRUNCATED_NOTE,
} from '../../src/report/markdown.js';
import { bootTimesChart, mermaidText, sortedSeries } from '../../src/report/mermaid.js';
import { compareResults, DEFAULT_GATE_OPTIONS } from '../../src/compare/index.js';
import { comparisonSummary, resultsTable } from '../../src/report/terminal.js';

// ---------------------------------------------------------------------------------------------
// Factory: deterministic samples (seeded), a SubjectResult with a real summary, a ResultsDocument.

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

interface SubjectSpec {
  name?: string;
  os?: string;
  variant?: 'base' | 'head';
  /** boot times in ms, one per boot; null = a failed boot */
  times: (number | null)[];
  httpOffsetMs?: number | null;
  modules?: Record<string, number>;
  /** deterministic boots: instructions per module */
  moduleInstructions?: Record<string, number>;
  instructions?: number | null;
  deterministic?: boolean;
  sizes?: { text: number; data: number; bss: number } | null;
  error?: string;
  ref?: string;
  commit?: string;
}

const guest: GuestSpec = {
  qemu: 'qemu-system-i386',
  memoryMb: 256,
  kernel: '/work/embox/build/base/bin/embox',
  network: { nic: 'virtio-net-pci', guestIp: '10.0.2.16', guestPort: 80 },
  httpPath: '/',
  extraArgs: [],
  startMarker: 'Embox kernel start',
  readyMarker: 'Starting service: httpd',
  moduleMarker: String.raw`\(unit\) initializing (\S+)`,
  timeoutMs: 30_000,
};

function subject(spec: SubjectSpec): SubjectResult {
  const boots: BootRecord[] = spec.times.map((t, index) => ({
    index,
    sequence: index * 2,
    ok: t !== null,
    bootMs: t,
    httpMs: t === null || spec.httpOffsetMs === null ? null : t + (spec.httpOffsetMs ?? 30),
    instructions: t === null ? null : (spec.instructions ?? null),
    modules:
      t === null
        ? []
        : spec.moduleInstructions
          ? Object.entries(spec.moduleInstructions).map(([name, instructions]) => ({ name, ms: null, instructions }))
          : Object.entries(spec.modules ?? {}).map(([name, ms]) => ({ name, ms })),
    error:
      t === null
        ? (spec.error ??
          'timed out after 30 s before the ready marker /httpd/ appeared\nserial tail:\n  | (unit) initializing embox.driver.net')
        : null,
    log: null,
  }));
  return {
    name: spec.name ?? 'embox-x86-qemu',
    os: spec.os ?? 'embox',
    variant: spec.variant ?? null,
    ref: spec.ref ?? null,
    commit: spec.commit ?? null,
    image:
      spec.sizes === null
        ? null
        : {
            path: '/work/embox/build/base/bin/embox',
            sizes: spec.sizes ?? { text: 1_000_000, data: 20_000, bss: 300_000 },
          },
    build: null,
    guest,
    qemuCommand: [
      'qemu-system-i386',
      '-accel',
      'tcg',
      '-m',
      '256',
      '-kernel',
      guest.kernel,
      '-netdev',
      'user,id=n0,hostfwd=tcp:127.0.0.1:0-10.0.2.16:80',
    ],
    deterministic: spec.deterministic ?? false,
    warmup: [],
    boots,
    summary: summarizeSubject(boots),
  };
}

/** n boot times around `center` ms with ±spread uniform jitter. */
function times(n: number, center: number, spread: number, seed: number): number[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => center + (u() * 2 - 1) * spread);
}

function doc(subjects: SubjectResult[], partial = false): ResultsDocument {
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'bootgate', version: '0.1.0' },
    createdAt: '2026-11-26T06:00:00.000Z',
    host: {
      cpu: 'Intel Xeon (test)',
      cores: 2,
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0',
      qemu: 'QEMU emulator version 7.2.0',
      node: 'v20.19.0',
      compiler: 'gcc 12.2.0',
    },
    partial,
    subjects,
  };
}

function gate(
  base: SubjectResult[],
  head: SubjectResult[],
  extra: { configName?: string; runUrl?: string; skipped?: { name: string; reason: string }[] } = {},
) {
  const comparison = compareResults(base, head);
  const text = renderGateReport(comparison, { base: doc(base), head: doc(head), ...extra });
  return { comparison, text, lines: text.split('\n') };
}

const verdictOf = (text: string): string => text.split('\n').find((l) => l.startsWith('**'))!;
const rowOf = (text: string, name: string): string[] =>
  text
    .split('\n')
    .find((l) => l.startsWith(`| ${name} |`))!
    .slice(2, -2)
    .split(' | ')
    .slice(1);

// ---------------------------------------------------------------------------------------------

describe('verdict line', () => {
  it('says Regression with the change, its CI and p', () => {
    const { text, comparison } = gate(
      [subject({ times: times(10, 1000, 10, 1) })],
      [subject({ times: times(10, 1061, 10, 2) })],
    );
    expect(comparison.state).toBe('regression');
    const line = verdictOf(text);
    expect(line).toMatch(
      /^\*\*Regression\*\* — embox-x86-qemu: \+6\.\d % \(95 % CI \+\d\.\d … \+\d\.\d %, p (=|<) [\d.]+\)$/,
    );
    // the verdict line is the first line after the title
    expect(text.split('\n').slice(0, 4)).toEqual([REPORT_MARKER, '### bootgate: boot time', '', line]);
  });

  it('says No change within the threshold', () => {
    const { text } = gate([subject({ times: times(10, 1000, 5, 3) })], [subject({ times: times(10, 1001, 5, 4) })]);
    expect(verdictOf(text)).toMatch(
      /^\*\*No change\*\* — embox-x86-qemu: [+-]\d\.\d % \(95 % CI .* %, p = [\d.]+\); within ±3 %$/,
    );
  });

  it('says Improvement', () => {
    const { text } = gate([subject({ times: times(10, 1000, 10, 5) })], [subject({ times: times(10, 880, 10, 6) })]);
    expect(verdictOf(text)).toMatch(
      /^\*\*Improvement\*\* — embox-x86-qemu: -1[12]\.\d % \(95 % CI -\d+\.\d … -\d+\.\d %, p (=|<) [\d.]+\)$/,
    );
  });

  it('says Inconclusive with the boots that would decide', () => {
    const { text, comparison } = gate([subject({ times: [1000, 1010] })], [subject({ times: [1040, 1050] })]);
    expect(comparison.subjects[0]!.boot!.moreBoots).toBe(3);
    expect(verdictOf(text)).toMatch(
      /^\*\*Inconclusive\*\* — embox-x86-qemu: \+\d\.\d % \(95 % CI .*, p = [\d.]+\); ~3 more boots per side would decide$/,
    );
  });

  it('says so when head boots fail while every base boot succeeded', () => {
    const head = [...times(8, 1000, 5, 8), null, null];
    const { text } = gate([subject({ times: times(10, 1000, 5, 7) })], [subject({ times: head })]);
    expect(verdictOf(text)).toMatch(
      /^\*\*Regression\*\* — embox-x86-qemu: 2 of 10 head boots failed while every base boot succeeded; successful boots [+-]\d\.\d %$/,
    );
    expect(rowOf(text, 'embox-x86-qemu').at(-1)).toBe('Regression (boot failures)');
  });

  it('mentions head failures when the base failed too', () => {
    const { text } = gate(
      [subject({ times: [...times(9, 1000, 5, 9), null] })],
      [subject({ times: [...times(9, 1000, 5, 10), null] })],
    );
    expect(verdictOf(text)).toMatch(
      /^\*\*No change\*\* .*; also embox-x86-qemu: 1 of 10 head boots failed \(base: 1 of 10\)$/,
    );
  });

  it('says Inconclusive when nothing was measured on both sides', () => {
    const { text } = gate([subject({ name: 'a', times: [1, 2, 3] })], [subject({ name: 'b', times: [1, 2, 3] })]);
    expect(verdictOf(text)).toBe(
      '**Inconclusive** — no subject was measured on both base and head (measured on one side only: b, a)',
    );
  });
});

describe('main table', () => {
  it('has one row per subject with medians, Δ and CI, p, boots, HTTP 200 and image size', () => {
    const base = subject({
      times: [1000, 1002, 1004, 1006, 1008, 1010, 1012, 1014, 1016, 1018],
      sizes: { text: 1000, data: 100, bss: 10 },
    });
    const head = subject({
      times: [1100, 1102, 1104, 1106, 1108, 1110, 1112, 1114, 1116, 1118],
      sizes: { text: 2234, data: 100, bss: 10 },
      httpOffsetMs: 40,
    });
    const { text, comparison } = gate([base], [head]);
    const v = comparison.subjects[0]!.boot!;
    const row = rowOf(text, 'embox-x86-qemu');
    expect(row).toEqual([
      '1009.0',
      '1109.0',
      `+9.9 % (${formatCi(v.ciPct)})`,
      '< 0.0001', // complete separation, n = 10/10: p = 2 / C(20, 10) ≈ 1.1e-5
      '10/10 / 10/10',
      '1039.0 → 1149.0',
      '+1,234 B',
      'Regression',
    ]);
    expect(text).toContain(
      '| subject | base median ms | head median ms | Δ % (95 % CI) | p | boots ok/total (base / head) | HTTP 200 median ms (base → head) | image size Δ | verdict |',
    );
  });

  it('shows — for missing sizes and HTTP times', () => {
    const { text } = gate(
      [subject({ times: times(5, 1000, 5, 11), sizes: null, httpOffsetMs: null })],
      [subject({ times: times(5, 1000, 5, 12), sizes: null, httpOffsetMs: null })],
    );
    const row = rowOf(text, 'embox-x86-qemu');
    expect(row[5]).toBe('—');
    expect(row[6]).toBe('—');
  });

  it('lists unmatched and skipped subjects', () => {
    const { text } = gate(
      [subject({ times: [1, 2, 3] })],
      [subject({ times: [1, 2, 3] }), subject({ name: 'new_one', times: [1, 2, 3] })],
      {
        skipped: [{ name: 'x86/test/fs', reason: 'needs <root>' }],
      },
    );
    expect(text).toContain('Measured on one side only, not compared: new\\_one.');
    expect(text).toContain('- x86/test/fs: needs &lt;root&gt;');
  });
});

describe('formatting', () => {
  it('formats CIs and p-values', () => {
    expect(formatCi([4.8123, 7.31])).toBe('+4.8 … +7.3 %');
    expect(formatCi([-0.04, 2])).toBe('+0.0 … +2.0 %');
    expect(formatCi([-1.25, -0.5])).toBe('-1.3 … -0.5 %');
    expect(formatP(0.0003)).toBe('p = 0.0003');
    expect(formatP(0.04321)).toBe('p = 0.043');
    expect(formatP(1.08e-5)).toBe('p < 0.0001');
    expect(formatP(NaN)).toBe('p = —');
  });
});

describe('modules', () => {
  it('shows the top 5 modules by |Δ ms|', () => {
    const baseModules = { m1: 10, m2: 10, m3: 10, m4: 10, m5: 10, m6: 10, m7: 10 };
    const headModules = { m1: 10.5, m2: 30, m3: 5, m4: 10.1, m5: 22, m6: 13, m7: 0.5 };
    const { text } = gate(
      [subject({ times: times(5, 1000, 5, 13), modules: baseModules })],
      [subject({ times: times(5, 1000, 5, 14), modules: headModules })],
    );
    const rows = text.split('\n').filter((l) => /^\| m\d /.test(l));
    expect(rows).toEqual([
      '| m2 | 10.00 | 30.00 | +20.00 |',
      '| m5 | 10.00 | 22.00 | +12.00 |',
      '| m7 | 10.00 | 0.50 | -9.50 |',
      '| m3 | 10.00 | 5.00 | -5.00 |',
      '| m6 | 10.00 | 13.00 | +3.00 |',
    ]);
  });

  it('shows a module that exists on one side only with —', () => {
    const { text } = gate(
      [subject({ times: times(5, 1000, 5, 15), modules: { old: 4 } })],
      [subject({ times: times(5, 1000, 5, 16), modules: { fresh: 3 } })],
    );
    expect(text).toContain('| old | 4.00 | — | -4.00 |');
    expect(text).toContain('| fresh | — | 3.00 | +3.00 |');
  });
});

describe('escaping', () => {
  it('escapes a malicious module name outside code blocks', () => {
    const evil = 'a|b<script>alert(1)</script>';
    const { text } = gate(
      [subject({ times: times(5, 1000, 5, 17), modules: { [evil]: 1 } })],
      [subject({ times: times(5, 1000, 5, 18), modules: { [evil]: 2 } })],
    );
    expect(text).not.toContain('<script>');
    expect(text).toContain('| a\\|b&lt;script&gt;alert(1)&lt;/script&gt; | 1.00 | 2.00 | +1.00 |');
  });

  it('escapes Markdown specials and breaks @mentions', () => {
    expect(escapeMarkdown('*x* _y_ `z` [l](u) a|b & <i> @octocat\nnext')).toBe(
      '\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) a\\|b &amp; &lt;i&gt; @\u200boctocat next',
    );
  });

  it('keeps a serial tail with ``` inside its code block', () => {
    const tail = 'QEMU exited (code 1)\nserial tail:\n```\n# not a heading\n<details>\n`````';
    const { text } = gate(
      [subject({ times: times(5, 1000, 5, 19) })],
      [subject({ times: [...times(4, 1000, 5, 20), null], error: tail })],
    );
    const lines = text.split('\n');
    const open = lines.indexOf('``````text');
    expect(open).toBeGreaterThan(0);
    const close = lines.indexOf('``````', open + 1);
    expect(lines.slice(open + 1, close).join('\n')).toBe(tail);
    // no line inside the block is a fence as long as the block's own
    expect(lines.slice(open + 1, close).some((l) => /^`{6,}\s*$/.test(l))).toBe(false);
  });

  it('makes code blocks and spans from any text', () => {
    expect(codeBlock('plain')).toBe('```\nplain\n```');
    expect(codeBlock('a ``` b\n````')).toBe('`````\na ``` b\n````\n`````');
    expect(codeBlock('\u001b[31mred\u001b[0m\r\nx')).toBe('```\nred\nx\n```');
    expect(inlineCode('a`b|c')).toBe('``a`b|c``');
    expect(inlineCode('a|b', { inTable: true })).toBe('`a\\|b`');
    expect(inlineCode('`x')).toBe('`` `x ``');
  });
});

describe('Embox vs Rumprun line', () => {
  const line =
    /^Embox vs Rumprun \(head\): \d+\.\d ms vs \d+\.\d ms to httpd ready \(the 2020 study measured 347 ms vs 366 ms on an i5-8250U; numbers here are from this runner\)$/m;

  it('appears when both an embox and a rumprun subject exist', () => {
    const base = [
      subject({ times: times(5, 1160, 5, 21) }),
      subject({ name: 'rumprun-httpd', os: 'rumprun', times: times(5, 380, 5, 22) }),
    ];
    const head = [
      subject({ times: times(5, 1160, 5, 23) }),
      subject({ name: 'rumprun-httpd', os: 'rumprun', times: times(5, 380, 5, 24) }),
    ];
    expect(gate(base, head).text).toMatch(line);
  });

  it('does not appear with Embox alone', () => {
    const { text } = gate([subject({ times: times(5, 1160, 5, 25) })], [subject({ times: times(5, 1160, 5, 26) })]);
    expect(text).not.toContain('Embox vs Rumprun');
  });
});

describe('marker', () => {
  it('carries the config name, reduced so it cannot end the comment', () => {
    const { lines } = gate([subject({ times: [1, 2, 3] })], [subject({ times: [1, 2, 3] })], {
      configName: 'x86-qemu',
    });
    expect(lines[0]).toBe('<!-- bootgate-report:x86-qemu -->');
    expect(reportMarker('evil --> <b>')).toBe('<!-- bootgate-report:evil%20-%2D%3E%20%3Cb%3E -->');
    expect(reportMarker('a---b')).toBe('<!-- bootgate-report:a-%2D-b -->');
    // names that differ only where the old marker wrote `_` keep apart
    expect(new Set(['ci x.yml', 'ci_x.yml', 'ci%20x.yml', 'ci-x.yml'].map((n) => reportMarker(n))).size).toBe(4);
    expect(reportMarker('.github/bootgate-pr.yml')).toBe('<!-- bootgate-report:.github/bootgate-pr.yml -->');
    expect(reportMarker()).toBe(REPORT_MARKER);
  });
});

describe('deterministic mode', () => {
  it('shows instruction counts and why wall-clock stays the primary gate', () => {
    const { text } = gate(
      [subject({ times: times(3, 1000, 5, 27), instructions: 176_031_822, deterministic: true })],
      [subject({ times: times(3, 1000, 5, 28), instructions: 179_552_458, deterministic: true })],
    );
    expect(verdictOf(text)).toBe(
      '**Regression** — embox-x86-qemu: +2.00 % instructions (176,031,822 → 179,552,458, +3,520,636)',
    );
    expect(text).toContain('| embox-x86-qemu | 176,031,822 | 179,552,458 | +3,520,636 | +2.00 % | Regression |');
    expect(text).toContain('Instructions count work, not waiting: a sleep adds almost nothing');
    expect(text).toContain('wall-clock time stays the primary gate');
  });
});

describe('deterministic mode, per module and paired', () => {
  const modulesBase = {
    'embox.arch.x86.mmu': 32_472_211,
    'embox.mem.phymem': 18_858_137,
    'embox.driver.pci': 1_753_702,
  };
  const det = (instructions: number, moduleInstructions: Record<string, number>, seed: number): SubjectResult =>
    subject({
      name: 'embox-det',
      times: times(3, 1000, 5, seed),
      instructions,
      deterministic: true,
      moduleInstructions,
    });

  it('explains a change module by module, the rest outside any module last, next to the wall-clock subject of the same image', () => {
    const added = { ...modulesBase, 'embox.driver.virtual.urandom': 74_000 };
    const { text } = gate(
      [subject({ times: times(10, 1160, 5, 61) }), det(167_346_388, modulesBase, 62)],
      [subject({ times: times(10, 1160, 5, 63) }), det(167_420_000, added, 64)],
    );
    expect(text).toContain('#### Module init instructions (deterministic boots)');
    expect(text).toContain('| embox.driver.virtual.urandom | — | 74,000 | +74,000 |');
    // the rest: total minus the modules' sum, on each side
    const restBase = 167_346_388 - 32_472_211 - 18_858_137 - 1_753_702;
    const restHead = 167_420_000 - 32_472_211 - 18_858_137 - 1_753_702 - 74_000;
    const rest = (n: number): string => n.toLocaleString('en-US');
    expect(text).toContain(
      `| (outside any module) | ${rest(restBase)} | ${rest(restHead)} | -${rest(restBase - restHead)} |`,
    );
    expect(text).toMatch(
      /\| embox-det \| 167,346,388 \| 167,420,000 \| \+73,612 \| \+0\.04 % \| No change \| embox-x86-qemu: No change \(/,
    );
    expect(text).toContain('last column: the wall-clock subject that boots the same image');
  });

  it('measure report: the modules that took the most instructions and the rest', () => {
    const text = renderMeasureReport(doc([det(167_346_388, modulesBase, 65)]));
    expect(text).toContain('Modules of embox-det that took the most instructions (median over 3 boots):');
    expect(text).toContain('| embox.arch.x86.mmu | 32,472,211 |');
    expect(text).toContain(
      `| (outside any module) | ${(167_346_388 - 32_472_211 - 18_858_137 - 1_753_702).toLocaleString('en-US')} |`,
    );
  });
});

describe('charts', () => {
  it('draws valid xychart-beta blocks, at most 3', () => {
    const names = ['s1', 's2', 's3', 's4'];
    const { text } = gate(
      names.map((n, i) => subject({ name: n, times: times(10, 1000, 10, 30 + i) })),
      names.map((n, i) => subject({ name: n, times: times(12, 1050, 10, 40 + i) })),
    );
    const charts = text.split('```mermaid').slice(1);
    expect(charts).toHaveLength(3);
    const first = charts[0]!
      .split('```')[0]!
      .trim()
      .split('\n')
      .map((l) => l.trim());
    expect(first[0]).toBe('xychart-beta');
    expect(first[1]).toBe('title "s1: sorted boot times"');
    expect(first[2]).toMatch(/^x-axis \["p0", "p9", .*"p100"\]$/);
    expect(first[3]).toMatch(/^y-axis "ms" \d+ --> \d+$/);
    expect(first[4]).toMatch(/^bar \[[\d., ]+\]$/);
    expect(first[5]).toMatch(/^line \[[\d., ]+\]$/);
    expect(text).toContain('Charts for the first 3 subjects only.');
  });

  it('uses ranks for equal small samples and quantiles otherwise', () => {
    expect(
      sortedSeries([
        [3, 1, 2],
        [5, 4, 6],
      ]),
    ).toEqual({
      labels: ['1', '2', '3'],
      series: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    const q = sortedSeries([
      [0, 10],
      [0, 5, 10],
    ]);
    expect(q.labels).toEqual(['p0', 'p50', 'p100']);
    expect(q.series).toEqual([
      [0, 5, 10],
      [0, 5, 10],
    ]);
    expect(bootTimesChart('x', [], [1])).toBeNull();
  });

  it('keeps quotes and fences out of chart text', () => {
    expect(mermaidText('a"b`c%%{init}%%\nd')).toBe('a_b_c___init___ d');
  });
});

describe('size limit', () => {
  it('stays under 65,536 characters with many subjects, 500 boots and long errors, verdict intact', () => {
    const longError = `QEMU exited (code 1) before the ready marker appeared\nserial tail:\n${'  | (unit) initializing embox.driver.something.long.name ```\n'.repeat(80)}`;
    const modules = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`embox.module.number.${i}`, 3 + i]));
    const base: SubjectResult[] = [];
    const head: SubjectResult[] = [];
    for (let s = 0; s < 12; s++) {
      const name = `subject-${s}-${'x'.repeat(30)}`;
      base.push(subject({ name, times: times(500, 1000, 20, 100 + s), modules, error: longError }));
      const headTimes: (number | null)[] = times(500, 1080, 20, 200 + s);
      for (let k = 0; k < 500; k += 3) headTimes[k] = null;
      head.push(subject({ name, times: headTimes, modules, error: longError }));
    }
    const comparison = compareResults(base, head);
    const text = renderGateReport(comparison, {
      base: doc(base),
      head: doc(head),
      runUrl: 'https://github.com/o/r/actions/runs/1',
    });
    expect(text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(verdictOf(text)).toMatch(
      /^\*\*Regression\*\* — subject-0-x+: 167 of 500 head boots failed while every base boot succeeded/,
    );
    for (const s of head) expect(text).toContain(`| ${escapeMarkdown(s.name)} |`);
    expect(text).toContain(TRUNCATED_NOTE);
    expect(text).toContain('<details><summary>Raw numbers, QEMU command, host</summary>');
    expect(text.trimEnd().endsWith('<sub>bootgate · [workflow run](https://github.com/o/r/actions/runs/1)</sub>')).toBe(
      true,
    );
  });

  it('keeps a small report complete, without the truncation note', () => {
    const { text } = gate([subject({ times: times(10, 1000, 5, 50) })], [subject({ times: times(10, 1000, 5, 51) })]);
    expect(text).not.toContain(TRUNCATED_NOTE);
    expect(text.match(/^\| \d+ \| yes \|/gm)).toHaveLength(20);
  });

  it('cuts main-table rows only when nothing else is left', () => {
    const many = Array.from({ length: 1500 }, (_, i) => `s${i}`);
    const base = many.map((n) => subject({ name: n, times: [1000, 1001, 1002] }));
    const head = many.map((n) => subject({ name: n, times: [1000, 1001, 1002] }));
    const text = renderGateReport(compareResults(base, head), { base: doc(base), head: doc(head) });
    expect(text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(verdictOf(text)).toMatch(/^\*\*No change\*\*/);
    expect(text).toMatch(/\| … [\d,]+ more subjects: see the results artifact \|/);
  });
});

describe('footer and context', () => {
  it('links the run and notes an interrupted run', () => {
    const base = [subject({ times: [1, 2, 3], ref: 'main', commit: 'a'.repeat(40) })];
    const head = [subject({ times: [1, 2, 3], ref: 'feature/x', commit: 'b'.repeat(40) })];
    const text = renderGateReport(compareResults(base, head), {
      base: doc(base),
      head: doc(head, true),
      runUrl: 'https://example.test/run(1)',
    });
    expect(text).toContain('base `main` @ `aaaaaaaaaaaa` → head `feature/x` @ `bbbbbbbbbbbb`');
    expect(text).toContain('Note: the head run was interrupted');
    expect(text).toContain('[workflow run](https://example.test/run%281%29)');
    expect(text).toContain(`alpha = ${DEFAULT_GATE_OPTIONS.alpha}`);
  });
});

describe('measure report', () => {
  it('renders the table without deltas, modules, a chart and the study line', () => {
    const d = doc([
      subject({
        times: times(10, 1160, 10, 60),
        modules: { 'embox.driver.clock.tsc': 1000, rootfs: 40 },
        instructions: null,
      }),
      subject({ name: 'rumprun-httpd', os: 'rumprun', times: [...times(9, 380, 5, 61), null] }),
    ]);
    const text = renderMeasureReport(d, { title: 'nightly <main>' });
    expect(text.startsWith('### nightly &lt;main&gt;\n')).toBe(true);
    expect(text).toContain(
      '| subject | boots ok/total | median ms | 95 % CI ms | CV % | HTTP 200 median ms | instructions (median) | image size (text+data+bss) |',
    );
    expect(text).toMatch(/^\| rumprun-httpd \| 9\/10 \| \d+\.\d \|/m);
    expect(text).toContain('| embox.driver.clock.tsc | 1000.00 |');
    expect(text.split('```mermaid')).toHaveLength(3);
    expect(text).toMatch(/^Embox vs Rumprun: \d+\.\d ms vs \d+\.\d ms to httpd ready/m);
    expect(text).toContain('Failed boot 10, error and serial tail:');
    expect(text).not.toContain('Δ');
    expect(text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
  });
});

describe('serial tails', () => {
  it('keeps the first line and the end of a long error', () => {
    const error = `timed out after 30 s before the ready marker\nserial tail:\n${'x'.repeat(5000)}\nlast line`;
    const { text } = gate(
      [subject({ times: times(5, 1000, 5, 70) })],
      [subject({ times: [...times(4, 1000, 5, 71), null], error })],
    );
    const block = text.slice(text.indexOf('```text\ntimed out'));
    expect(block).toMatch(
      /^```text\ntimed out after 30 s before the ready marker\n\[… [\d,]+ characters cut …\]\nx+\nlast line\n```/,
    );
  });
});

describe('thresholds per subject', () => {
  it("prints each subject's own threshold, not the global one (verdict line, decision lines, reasons)", () => {
    const base = [
      subject({ name: 'a', times: times(10, 1000, 5, 41) }),
      subject({ name: 'b', times: times(10, 1000, 5, 42) }),
    ];
    const head = [
      subject({ name: 'a', times: times(10, 1001, 5, 43) }),
      subject({ name: 'b', times: times(10, 1001, 5, 44) }),
    ];
    const comparison = compareResults(base, head, {
      ...DEFAULT_GATE_OPTIONS,
      thresholdPct: 5,
      perSubject: { a: { thresholdMs: 20 }, b: { thresholdPct: 2 } },
    });
    const text = renderGateReport(comparison, { base: doc(base), head: doc(head) });
    expect(comparison.state).toBe('no change');
    expect(comparison.subjects.map((s) => s.threshold)).toEqual(['20 ms', '2 %']);
    expect(verdictOf(text)).toMatch(/; within ±20 ms \/ ±2 %$/);
    expect(verdictOf(text)).not.toContain('±5 %');
    expect(text).toMatch(
      /^- a: decided by boot time \(two-sided Mann–Whitney, Hodges–Lehmann CI\) · threshold 20 ms \(2\.0 % of the base median\) · 10 \+ 10 boots, fixed count · /m,
    );
    expect(text).toMatch(
      /^- b: decided by boot time \(two-sided Mann–Whitney, Hodges–Lehmann CI\) · threshold 2 % · 10 \+ 10 boots, fixed count · /m,
    );
    expect(comparison.subjects[0]!.reason).toContain('±20 ms (2.0 %)');
    // the terminal summary too
    const terminal = comparisonSummary(comparison);
    expect(terminal).toContain('a: decided by boot time; threshold 20 ms; boots used 10 + 10');
    expect(terminal).toContain('b: decided by boot time; threshold 2 %; boots used 10 + 10');
    expect(terminal).toContain('verdict: NO CHANGE (threshold 20 ms / 2 %, alpha 0.01)');
  });

  it("prints a deterministic subject's own instruction threshold, not the global one", () => {
    const det = (instructions: number, seed: number): SubjectResult =>
      subject({ name: 'embox-det', times: times(3, 1000, 5, seed), instructions, deterministic: true });
    const base = [det(100_000_000, 71)];
    const head = [det(103_000_000, 72)];
    const comparison = compareResults(base, head, {
      ...DEFAULT_GATE_OPTIONS,
      perSubject: { 'embox-det': { instructionsThresholdPct: 5 } },
    });
    const text = renderGateReport(comparison, { base: doc(base), head: doc(head) });
    expect(comparison.state).toBe('no change');
    expect(comparison.subjects[0]!.decision).toMatchObject({
      by: 'instructions',
      test: 'exact instruction counts',
      instructionsThresholdPct: 5,
    });
    expect(verdictOf(text)).toMatch(/; within ±5 % instructions$/);
    const section = text.slice(text.indexOf('#### Instructions to ready'), text.indexOf('<details>'));
    expect(section).toContain('judged on them (threshold ±5 %)');
    expect(section).not.toContain('±1 %');
    expect(text).toMatch(
      /^- embox-det: decided by instruction counts \(exact instruction counts\) · instruction threshold ±5 % · 3 \+ 3 boots, fixed count/m,
    );
  });

  it('records what decided each subject, and the report prints that decision', () => {
    const base = [
      subject({ name: 'same', times: [] }),
      subject({ name: 'failing', times: times(5, 1000, 5, 73) }),
      subject({ name: 'timed', times: times(10, 1000, 5, 74) }),
    ];
    const head = [
      subject({ name: 'same', times: [] }),
      subject({ name: 'failing', times: [...times(4, 1000, 5, 75), null] }),
      subject({ name: 'timed', times: times(10, 1300, 5, 76) }),
    ];
    base[0]!.identicalImage = 'same bytes';
    head[0]!.identicalImage = 'same bytes';
    const comparison = compareResults(base, head, {
      ...DEFAULT_GATE_OPTIONS,
      perSubject: { timed: { thresholdPct: 10 } },
    });
    expect(comparison.subjects.map((s) => s.decision.by)).toEqual([
      'identical image',
      'head boot failures',
      'boot time',
    ]);
    expect(comparison.subjects[2]!.decision.threshold).toEqual({ text: '10 %', ms: null, pctOfBase: 10 });
    expect(comparison.subjects[1]!.decision.boots).toEqual({
      base: 5,
      head: 5,
      warmup: 0,
      baseFailed: 0,
      headFailed: 1,
    });
    const text = renderGateReport(comparison, { base: doc(base), head: doc(head) });
    expect(text).toMatch(
      /^- same: decided by identical images · threshold 3 % · identical image \(same bytes\): no boots$/m,
    );
    expect(text).toMatch(/^- failing: decided by head boot failures · threshold 3 % · 5 \+ 5 boots, fixed count/m);
    expect(text).toMatch(
      /^- timed: decided by boot time \(two-sided Mann–Whitney, Hodges–Lehmann CI\) · threshold 10 % · 10 \+ 10 boots, fixed count/m,
    );
    expect(text).toMatch(/\| failing \|.*\| Regression \(boot failures\) \|$/m);
  });

  it('a threshold in ms catches a 60 ms slowdown of a 1200 ms boot that 5 % would let through', () => {
    const base = [subject({ times: times(20, 1200, 6, 45) })];
    const head = [subject({ times: times(20, 1260, 6, 46) })];
    expect(compareResults(base, head, { ...DEFAULT_GATE_OPTIONS, thresholdPct: 10 }).state).not.toBe('regression');
    const ms = compareResults(base, head, { ...DEFAULT_GATE_OPTIONS, thresholdMs: 40 });
    expect(ms.state).toBe('regression');
    expect(ms.subjects[0]!.reason).toMatch(
      /slower, possibly by 40 ms \(3\.3 %\) or more|at least 40 ms \(3\.3 %\) slower/,
    );
  });
});

describe('per-module threshold line', () => {
  it('a module slower by the module threshold is a verdict line of its own, and makes the subject a regression', () => {
    const base = [subject({ times: times(12, 1000, 5, 51), modules: { 'embox.mem.heap': 20, 'embox.net.core': 40 } })];
    const head = [subject({ times: times(12, 1001, 5, 52), modules: { 'embox.mem.heap': 32, 'embox.net.core': 40 } })];
    const comparison = compareResults(base, head, { ...DEFAULT_GATE_OPTIONS, moduleThresholdMs: 10 });
    const text = renderGateReport(comparison, { base: doc(base), head: doc(head) });
    expect(comparison.state).toBe('regression');
    expect(comparison.subjects[0]!.reason).toMatch(
      /1 module\(s\) slower by 10 ms or more: embox\.mem\.heap \+12\.0 ms \(start → ready: no change\)/,
    );
    expect(text).toMatch(
      /^\*\*Module regression\*\* — embox-x86-qemu: embox\.mem\.heap \+12\.0 ms .*threshold 10 ms per module$/m,
    );
    const without = compareResults(base, head, DEFAULT_GATE_OPTIONS);
    expect(without.state).toBe('no change');
  });
});

describe('outliers and small samples', () => {
  it('warns about boots that were outliers (median/MAD), as hyperfine does, and keeps them', () => {
    const quiet = times(12, 1000, 2, 81);
    const busy = [...times(11, 1000, 2, 82)];
    busy.splice(6, 0, 1400);
    const base = [subject({ times: quiet })];
    const head = [subject({ times: busy })];
    const comparison = compareResults(base, head, DEFAULT_GATE_OPTIONS);
    const text = renderGateReport(comparison, { base: doc(base), head: doc(head) });
    const warning =
      /^- embox-x86-qemu, head: 1 of 12 boots were outliers \(#7 1400\.0 ms; more than 3\.5 robust standard deviations from the median\): the host may have been busy\./m;
    expect(text).toMatch(warning);
    expect(text).not.toContain('embox-x86-qemu, base: ');
    expect(comparisonSummary(comparison)).toContain('embox-x86-qemu, head: 1 of 12 boots were outliers (#7 1400.0 ms;');
    expect(renderMeasureReport(doc(head))).toMatch(/^- embox-x86-qemu: 1 of 12 boots were outliers \(#7 1400\.0 ms;/m);
    expect(resultsTable(head)).toContain('embox-x86-qemu: 1 of 12 boots were outliers');
    // the boot counts and the median still include it
    expect(head[0]!.summary.n).toBe(12);
  });

  it('labels the interval of fewer than 6 boots min–max, not a 95 % CI', () => {
    const few = subject({ name: 'few', times: times(5, 1000, 5, 83) });
    const enough = subject({ name: 'enough', times: times(6, 1000, 5, 84) });
    const text = renderMeasureReport(doc([few, enough]));
    expect(text).toMatch(/^\| few \| 5\/5 \| [\d.]+ \| [\d.]+ … [\d.]+ \(min–max\) \|/m);
    expect(text).toMatch(/^\| enough \| 6\/6 \| [\d.]+ \| [\d.]+ … [\d.]+ \|/m);
    expect(text).toContain('(min–max) min–max: fewer than 6 boots, the range of the boots stands in for the 95 % CI');
    const terminal = resultsTable([few, enough]);
    expect(terminal).toMatch(/^few +5\/5 +[\d.]+ +[\d.]+–[\d.]+ \(min–max\)/m);
    expect(terminal).toMatch(/^enough +6\/6 +[\d.]+ +[\d.]+–[\d.]+ +[\d.]+ /m);
    expect(terminal).toContain('(min–max) min–max: fewer than 6 boots');
    expect(renderMeasureReport(doc([enough]))).not.toContain('min–max');
  });
});
