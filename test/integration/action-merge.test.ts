// Scale-out: matrix jobs with `shard: i/n` each measure their share and upload it; a `mode: merge`
// job of the same run combines every shard's boots and writes the one comment.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { ResultsDocument } from '../../src/measure/results.js';
import { explainRun as explain } from '../helpers/action-env.js';
import { githubTest as test } from '../helpers/github-world.js';

// each job says how many boots it makes (a merge job makes none)
test.override('prInputs', { warmup: '0', cache: 'false' });

describe('action, shards and mode merge', () => {
  test('two shards of 2 boots each merge into 4 boots per side and one comment', async ({ fake, world, runPr }) => {
    const { repo } = world;
    // a head whose image differs (a docs-only head is an identical image: nothing would boot)
    fake.addPull({
      number: 10,
      baseSha: repo.base,
      headSha: repo.slow,
      files: [{ filename: 'fixture-kernel.elf', status: 'modified' }],
    });
    const job = (jobId: string, inputs: Record<string, string>) =>
      runPr({ number: 10, base: repo.base, head: repo.slow, inputs, runId: 900, jobId });
    for (const index of [1, 2]) {
      const shard = await job(`job-${index}`, { runs: '4', shard: `${index}/2` });
      expect(shard.code, explain(shard)).toBe(0);
      expect(shard.stdout).toMatch(new RegExp(`fixture \\[head\\] boot 2/2`));
      expect(shard.stdout).not.toMatch(/boot 3\/\d/);
    }
    expect(fake.writeCalls()).toEqual([]);
    expect(
      fake.artifacts
        .filter((a) => a.finalized)
        .map((a) => a.name)
        .sort(),
    ).toEqual(['bootgate-shard-1', 'bootgate-shard-2']);

    const merge = await job('job-merge', { mode: 'merge' });
    expect(merge.code, explain(merge)).toBe(0);
    expect(merge.stdout).toContain('merged 2 shards: fixture 4 boots per side');
    const head = JSON.parse(
      await readFile(path.join(merge.outputs['results-path']!, 'head.json'), 'utf8'),
    ) as ResultsDocument;
    expect(head.subjects[0]!.boots.map((b) => b.index)).toEqual([0, 1, 2, 3]);
    expect(head.subjects[0]!.summary.total).toBe(4);
    // each shard boots its fixed share: the merged sample is judged as one fixed sample
    expect(head.subjects[0]!.sequential).toBeUndefined();
    const comments = fake.comments.filter((c) => c.issue === 10);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('4/4 / 4/4');
  });
  test('a head that does not build: every shard still uploads, and the merge job reports the regression', async ({
    fake,
    world,
    runPr,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 13,
      baseSha: repo.base,
      headSha: repo.broken,
      files: [{ filename: 'fixture-kernel.elf', status: 'removed' }],
    });
    const job = (jobId: string, inputs: Record<string, string>) =>
      runPr({ number: 13, base: repo.base, head: repo.broken, inputs, runId: 901, jobId });
    for (const index of [1, 2]) {
      const shard = await job(`broken-${index}`, { runs: '4', shard: `${index}/2` });
      expect(shard.code, explain(shard)).toBe(0);
      expect(shard.stdout).toMatch(/fixture \[base\] boot 2\/2/);
      expect(shard.stdout).toContain('fixture [head] could not be built (build)');
    }
    const merge = await job('broken-merge', { mode: 'merge' });
    expect(merge.code, explain(merge)).toBe(1);
    expect(merge.outputs['verdict']).toBe('regression');
    const head = JSON.parse(
      await readFile(path.join(merge.outputs['results-path']!, 'head.json'), 'utf8'),
    ) as ResultsDocument;
    expect(head.subjects[0]!.notBuilt?.stage).toBe('build');
    const base = JSON.parse(
      await readFile(path.join(merge.outputs['results-path']!, 'base.json'), 'utf8'),
    ) as ResultsDocument;
    expect(base.subjects[0]!.boots).toHaveLength(4);
    const comments = fake.comments.filter((c) => c.issue === 13);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^\*\*Regression\*\* — fixture: head does not build \(base does\)/m);
    expect(comments[0]!.body).toContain("cp: cannot stat 'fixture-kernel.elf'");
  });
});
