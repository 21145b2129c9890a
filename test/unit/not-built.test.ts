// A subject that could not be built: how the failure is recorded, decided, merged across shards
// and reported. Hand-built results run through the real compareResults and renderers.
import { describe, expect, it } from 'vitest';
import type { GuestSpec } from '../../src/boot/guest.js';
import { BuildError } from '../../src/build/build-command.js';
import { ConfigError } from '../../src/config/errors.js';
import type { Subject } from '../../src/config/subjects.js';
import { describeNotBuilt, NOT_BUILT_TAIL_LINES, notBuiltResult } from '../../src/engine/not-built.js';
import { mergeShardDocuments } from '../../src/github/shard.js';
import {
  RESULTS_SCHEMA,
  type BootRecord,
  type ResultsDocument,
  type SubjectResult,
} from '../../src/measure/results.js';
import { summarizeSubject } from '../../src/measure/summary.js';
import { GITHUB_COMMENT_LIMIT, renderGateReport, renderMeasureReport } from '../../src/report/markdown.js';
import { comparisonSummary } from '../../src/report/terminal.js';
import { compareResults, compareSubject } from '../../src/compare/index.js';

const subject: Subject = { name: 'x86-qemu', os: 'embox', settings: { os: 'embox', source: '/src' } };
const guest: GuestSpec = {
  qemu: 'qemu-system-i386',
  memoryMb: 256,
  kernel: '/k',
  network: null,
  httpPath: '/',
  extraArgs: [],
  startMarker: 'start',
  readyMarker: 'ready',
  moduleMarker: null,
  timeoutMs: 30_000,
};
const host = { cpu: 'cpu', cores: 2, os: 'linux', kernel: '6', qemu: 'QEMU 7.2', node: 'v20', compiler: null };

function built(variant: 'base' | 'head', times: number[]): SubjectResult {
  const boots: BootRecord[] = times.map((ms, index) => ({
    index,
    sequence: index,
    ok: true,
    bootMs: ms,
    httpMs: null,
    instructions: null,
    modules: [],
    error: null,
    log: null,
  }));
  return {
    name: 'x86-qemu',
    os: 'embox',
    variant,
    ref: variant,
    commit: variant === 'base' ? 'b'.repeat(40) : 'c'.repeat(40),
    image: null,
    build: null,
    guest,
    qemuCommand: ['qemu-system-i386'],
    deterministic: false,
    warmup: [],
    boots,
    summary: summarizeSubject(boots),
  };
}

function broken(
  variant: 'base' | 'head',
  message = 'make exited with code 2\nsrc/a.c:1: error: boom\nmake: *** [all] Error 2',
): SubjectResult {
  return notBuiltResult(
    subject,
    { variant, ref: variant, commit: (variant === 'base' ? 'b' : 'c').repeat(40) },
    describeNotBuilt(new BuildError(message, '/logs/build.log'), 'build'),
  );
}

const doc = (subjects: SubjectResult[]): ResultsDocument => ({
  schema: RESULTS_SCHEMA,
  tool: { name: 'bootgate', version: 't' },
  createdAt: '2026-11-29T00:00:00Z',
  host,
  partial: false,
  subjects,
});
const times = [100, 101, 102, 99, 100, 101, 100, 102, 99, 101];

describe('describeNotBuilt', () => {
  it('keeps the first line as the reason and the end of the rest as the tail; names the log', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const n = describeNotBuilt(
      new BuildError(`\nbuild of x exited with code 2\n\n${lines.join('\n')}\n\n`, '/l.log'),
      'build',
    );
    expect(n).toEqual({
      stage: 'build',
      reason: 'build of x exited with code 2',
      tail: lines.slice(-NOT_BUILT_TAIL_LINES),
      log: '/l.log',
    });
  });

  it('a ConfigError is the settings, whatever the step; other errors keep the step', () => {
    expect(describeNotBuilt(new ConfigError('subject "x" kernel: "/k" does not exist'), 'build').stage).toBe('config');
    expect(describeNotBuilt(new Error('git worktree add failed'), 'checkout')).toEqual({
      stage: 'checkout',
      reason: 'git worktree add failed',
      tail: [],
      log: null,
    });
    expect(describeNotBuilt('thrown string', 'build').reason).toBe('thrown string');
  });

  it('a not-built result has no boots and an empty summary', () => {
    const r = broken('head');
    expect(r.boots).toEqual([]);
    expect(r.guest).toBeNull();
    expect(r.summary).toMatchObject({ n: 0, total: 0, failed: 0 });
  });
});

describe('deciding a subject that was not built', () => {
  it('head not built where base was: regression "head does not build"', () => {
    const c = compareSubject(built('base', times), broken('head'));
    expect(c.state).toBe('regression');
    expect(c.reason).toBe('head does not build (base does): make exited with code 2');
  });

  it('base not built where head was: improvement (the build was fixed), not a regression', () => {
    const c = compareSubject(broken('base'), built('head', times));
    expect(c.state).toBe('improvement');
    expect(c.reason).toMatch(/^base does not build, head does/);
  });

  it('base not built and every head boot failed: inconclusive', () => {
    const head = built('head', []);
    head.boots = [
      {
        index: 0,
        sequence: 0,
        ok: false,
        bootMs: null,
        httpMs: null,
        instructions: null,
        modules: [],
        error: 'timeout',
        log: null,
      },
    ];
    expect(compareSubject(broken('base'), head).state).toBe('inconclusive');
  });

  it('built on neither side: inconclusive; with another subject regressed, the whole is a regression', () => {
    expect(compareSubject(broken('base'), broken('head')).state).toBe('inconclusive');
    const other = (v: 'base' | 'head', t: number[]) => ({ ...built(v, t), name: 'other' });
    const c = compareResults(
      [broken('base'), other('base', times)],
      [
        broken('head'),
        other(
          'head',
          times.map((t) => t * 1.3),
        ),
      ],
    );
    expect(c.subjects.map((s) => s.state)).toEqual(['inconclusive', 'regression']);
    expect(c.state).toBe('regression');
  });
});

describe('merging shards', () => {
  it("a subject not built in one shard but built in another is built, with that shard's boots", () => {
    const merged = mergeShardDocuments([doc([broken('head')]), doc([built('head', [100, 101])])]);
    expect(merged.subjects[0]!.notBuilt ?? null).toBeNull();
    expect(merged.subjects[0]!.boots.map((b) => b.bootMs)).toEqual([100, 101]);
    expect(merged.subjects[0]!.guest).toEqual(guest);
    const other = mergeShardDocuments([doc([built('head', [100])]), doc([broken('head')])]);
    expect(other.subjects[0]!.notBuilt ?? null).toBeNull();
  });

  it('not built in every shard: not built', () => {
    const merged = mergeShardDocuments([doc([broken('head')]), doc([broken('head')])]);
    expect(merged.subjects[0]!.notBuilt?.reason).toBe('make exited with code 2');
    expect(merged.subjects[0]!.boots).toEqual([]);
  });
});

describe('reporting a subject that was not built', () => {
  it('the verdict line, the table and a "Not built" section with the log tail', () => {
    const base = doc([built('base', times)]);
    const head = doc([broken('head')]);
    const md = renderGateReport(compareResults(base.subjects, head.subjects), { base, head });
    expect(md).toMatch(/^\*\*Regression\*\* — x86-qemu: head does not build \(base does\): make exited with code 2$/m);
    expect(md).toMatch(
      /^\| x86-qemu \| 100\.5 \| — \| — \| — \| 10\/10 \/ 0\/0 \| — \| — \| Regression \(head does not build\) \|$/m,
    );
    expect(md).toContain(
      '#### Not built\n\n**x86-qemu** at head (`cccccccccccc`) does not build: make exited with code 2\n\n```text\nsrc/a.c:1: error: boom\nmake: *** [all] Error 2\n```',
    );
    expect(comparisonSummary(compareResults(base.subjects, head.subjects))).toContain(
      'x86-qemu [head]: NOT BUILT (build) — make exited with code 2\n  src/a.c:1: error: boom',
    );
  });

  it('a hostile build log cannot leave its code block, mention anyone or inject HTML', () => {
    const base = doc([built('base', times)]);
    const head = doc([
      broken('head', '<img src=x onerror=alert(1)> @octocat **bold**\n```\n# Heading\n@everyone </details>'),
    ]);
    const md = renderGateReport(compareResults(base.subjects, head.subjects), { base, head });
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/(^|[^`])@octocat/);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt; @\u200boctocat \\*\\*bold\\*\\*');
    // the tail sits in a fence longer than any backtick run in it
    expect(md).toContain('````text\n```\n# Heading\n@everyone </details>\n````');
  });

  it('a huge log tail is cut to fit the comment limit', () => {
    const long = Array.from({ length: 30 }, () => 'x'.repeat(499)).join('\n');
    const heads = Array.from({ length: 40 }, (_, i) => ({ ...broken('head', `failed ${i}\n${long}`), name: `s${i}` }));
    const bases = heads.map((h) => ({ ...built('base', times), name: h.name }));
    const md = renderGateReport(compareResults(bases, heads), { base: doc(bases), head: doc(heads) });
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toContain('… and 35 more: s5 \\[head\\]');
  });

  it('the measure report (nightly) lists it too', () => {
    const r = notBuiltResult(
      { ...subject, name: 'fixture' },
      {},
      describeNotBuilt(new BuildError('build of fixture exited with code 1\ncp: cannot stat'), 'build'),
    );
    const md = renderMeasureReport(doc([built('base', times), r]));
    expect(md).toContain(
      '#### Not built\n\n**fixture** does not build: build of fixture exited with code 1\n\n```text\ncp: cannot stat\n```',
    );
  });
});
