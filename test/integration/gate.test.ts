import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/engine/gate.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/stats/index.js';
import { fixtureRepo, fixtureSubject } from '../helpers/fixture-repo.js';

const quiet = { log: () => {} };

async function gate(repo: { dir: string; commits: string[] }, base: number, head: number, runs: number) {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-gate-'));
  return runGate({
    subjects: [fixtureSubject(repo.dir)], base: repo.commits[base], head: repo.commits[head], outDir,
    gate: DEFAULT_GATE_OPTIONS, runsOverride: runs, warmupOverride: 1, ...quiet,
    worktreeDir: path.join(outDir, 'worktrees'),
  });
}

describe('gate on the multiboot fixture: base vs head built from git work trees, booted interleaved', () => {
  it('never calls identical images (a comment-only change) a regression', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: {}, note: 'only a comment changed' }]);
    for (let i = 0; i < 2; i++) {
      const outcome = await gate(repo, 0, 1, 10);
      expect(outcome.comparison.state).not.toBe('regression');
      expect(outcome.comparison.subjects[0]!.base.summary.n).toBe(10);
      // interleaved: base and head boots alternate
      const seq = [...outcome.base.subjects[0]!.boots, ...outcome.head.subjects[0]!.boots].sort((a, b) => a.sequence - b.sequence);
      expect(seq.length).toBe(20);
    }
  });

  it('flags a head doing 10 % more work per module as a regression of about that size', async () => {
    const repo = await fixtureRepo([{ params: {} }, { params: { workPercent: 110 } }]);
    const outcome = await gate(repo, 0, 1, 10);
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
