import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/engine/gate.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/stats/index.js';
import { fixtureRepo, fixtureSubject } from '../helpers/fixture-repo.js';

const quiet = { log: () => {} };

async function gate(repo: { dir: string; commits: string[] }, base: number, head: number, runs: number, maxRuns = runs) {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-gate-'));
  return runGate({
    subjects: [fixtureSubject(repo.dir)], base: repo.commits[base], head: repo.commits[head], outDir,
    gate: DEFAULT_GATE_OPTIONS, runsOverride: runs, maxRunsOverride: maxRuns, warmupOverride: 1, ...quiet,
    worktreeDir: path.join(outDir, 'worktrees'),
  });
}

describe('gate on the multiboot fixture: base vs head built from git work trees, booted interleaved', () => {
  it('decides identical images (a comment-only change) at once, without a boot', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: {}, note: 'only a comment changed' }]);
    const outcome = await gate(repo, 0, 1, 10);
    expect(outcome.comparison.state).toBe('no change');
    expect(outcome.base.subjects[0]!.boots).toHaveLength(0);
    expect(outcome.head.subjects[0]!.warmup).toHaveLength(0);
    expect(outcome.head.subjects[0]!.identicalImage).toBe('same bytes');
    expect(outcome.markdown).toContain('identical image (same bytes)');
  });

  it('boots base and head interleaved, and adds pairs until it can decide (runs 3, max-runs 9)', async () => {
    // Three boots a side can never reach p < 0.01 (the least p is 0.1): the gate must look again.
    const repo = await fixtureRepo([{ params: {} }, { params: { workPercent: 130 } }]);
    const outcome = await gate(repo, 0, 1, 3, 9);
    expect(outcome.comparison.state).toBe('regression');
    const base = outcome.base.subjects[0]!;
    const head = outcome.head.subjects[0]!;
    expect(base.boots.length).toBeGreaterThan(3);
    expect(base.boots.length).toBe(head.boots.length);
    expect(head.sequential!.looks.slice(0, 2)).toEqual([3, 5]);
    expect(head.sequential!.looks.at(-1)).toBe(head.boots.length);
    // interleaved: base and head boots alternate, A B, B A, … across the added pairs too
    const seq = [...base.boots.map((b) => ({ ...b, side: 'base' })), ...head.boots.map((b) => ({ ...b, side: 'head' }))].sort((a, b) => a.sequence - b.sequence);
    for (let i = 0; i < seq.length; i += 2) expect(new Set([seq[i]!.side, seq[i + 1]!.side]).size).toBe(2);
    expect(outcome.markdown).toMatch(/adaptive: decided at look \d/);
    // phases are stored per boot and diffed in the report
    expect(head.boots[0]!.phases!.map((p) => p.name)).toEqual(['start → first module', 'module init (all modules)', 'last module → ready']);
    expect(outcome.markdown).toContain('#### Where the time went');
  });

  it('flags a head doing 10 % more work per module as a regression of about that size', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: { workPercent: 110 } }]);
    // adaptive: on a busy machine ten pairs may not settle it, a few more do
    const outcome = await gate(repo, 0, 1, 10, 40);
    expect(outcome.comparison.state, outcome.comparison.subjects[0]!.reason).toBe('regression');
    expect(outcome.comparison.state).toBe('regression');
    const verdict = outcome.comparison.subjects[0]!.boot!;
    expect(verdict.pct).toBeGreaterThan(4);
    expect(verdict.pct).toBeLessThan(20);
    expect(outcome.markdown).toContain('Regression');
  });

  it('names the module whose work was raised in the per-module diff', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: { slowModule: { name: 'embox.mem.heap', percent: 200 } } }]);
    const outcome = await gate(repo, 0, 1, 6);
    expect(outcome.comparison.subjects[0]!.modules[0]!.name).toBe('embox.mem.heap');
    expect(outcome.comparison.subjects[0]!.modules[0]!.deltaMs).toBeGreaterThan(0);
  });
});
