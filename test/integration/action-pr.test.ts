// The bundled action in pr mode against the fake GitHub, booting the multiboot fixture for real.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { explainRun as explain } from '../helpers/action-env.js';
import { githubTest as test } from '../helpers/github-world.js';

const MARKER = '<!-- bootgate-report:bootgate.yml -->';

// a fixed three boots a side unless a test asks for the adaptive gate; the cache is on
test.override('prInputs', { runs: '3', 'max-runs': '3', warmup: '0' });

describe('action, mode pr', () => {
  test('keeps exactly one sticky comment per config: created by the first run, updated by the second (found past page 1)', async ({
    fake,
    world: { repo },
    runPr,
  }) => {
    fake.addPull({
      number: 7,
      baseSha: repo.base,
      headSha: repo.docs,
      files: [{ filename: 'README.md', status: 'modified' }],
    });
    // 150 other comments: the sticky one ends up on the second page of the listing.
    for (let i = 0; i < 150; i++) {
      fake.comments.push({
        id: 1 + i,
        body: `comment ${i}`,
        issue: 7,
        user: { login: 'someone', type: 'User' },
        created_at: '',
        updated_at: '',
      });
    }
    // The head changes only the README: the images are identical, and the verdict must say so.
    // 8 boots a side and a ±10 % band let "no change" be reached on a busy 2-core machine.
    const identical = { runs: '8', threshold: '10' };
    const first = await runPr({ number: 7, base: repo.base, head: repo.docs, inputs: identical });
    expect(first.code, explain(first)).toBe(0);
    const second = await runPr({ number: 7, base: repo.base, head: repo.docs, inputs: identical });
    expect(second.code, explain(second)).toBe(0);

    const sticky = fake.comments.filter((c) => c.issue === 7 && c.body.includes(MARKER));
    expect(sticky).toHaveLength(1);
    expect(fake.comments.filter((c) => c.issue === 7)).toHaveLength(151);
    const writes = fake.writeCalls().map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([
      `POST /repos/acme/embox/issues/7/comments`,
      `PATCH /repos/acme/embox/issues/comments/${sticky[0]!.id}`,
    ]);
    // Both runs read every page of comments.
    expect(
      fake.requests.filter(
        (r) => r.path.endsWith('/issues/7/comments') && r.method === 'GET' && r.query['page'] === '2',
      ),
    ).toHaveLength(2);

    // Only the `always` fixture subject was measured: the PR touches no template.
    expect(first.stdout).toContain('measuring: fixture\n');
    // A README change leaves the image as it was: identical images are decided without a boot.
    expect(first.stdout).toContain('fixture: identical image (same bytes): no boots needed');
    expect(first.stdout).not.toMatch(/fixture \[base\] boot 1\/3/);
    expect(first.outputs['verdict']).toBe('no-change');
    expect(second.outputs['verdict'], explain(second)).toBe('no-change');
    expect(sticky[0]!.body).toMatch(/^\*\*No change\*\* — fixture: /m);
    expect(first.outputs['verdict']).toBe(first.outputs['verdict-text']!.replace(' ', '-'));
    expect(first.outputs['comment-url']).toMatch(/#issuecomment-\d+$/);
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url']);
    expect(first.summary).toContain(MARKER);
    expect(first.summary).toContain('| fixture |');
    const report = await readFile(first.outputs['report-path']!, 'utf8');
    expect(report).toContain(MARKER);
    const head = JSON.parse(await readFile(path.join(first.outputs['results-path']!, 'head.json'), 'utf8'));
    expect(head.subjects[0].boots).toHaveLength(0);
    expect(head.subjects[0].identicalImage).toBe('same bytes');
    expect(report).toContain('identical image (same bytes)');
  });

  test('fails the step on a regression and says so in the comment (on-change)', async ({
    fake,
    world: { repo },
    runPr,
  }) => {
    fake.addPull({
      number: 8,
      baseSha: repo.base,
      headSha: repo.slow,
      files: [{ filename: 'fixture-kernel.elf', status: 'modified' }],
    });
    // Three boots a side can only reach p = 0.1: alpha 0.2 lets a clear slowdown decide.
    const r = await runPr({
      number: 8,
      base: repo.base,
      head: repo.slow,
      inputs: { alpha: '0.2', comment: 'on-change' },
    });
    expect(r.code, explain(r)).toBe(1);
    expect(r.outputs['verdict']).toBe('regression');
    const comparison = JSON.parse(r.outputs['comparison']!);
    expect(comparison).toMatchObject({
      schema: 'bootgate/comparison@1',
      verdict: 'regression',
      subjects: [{ name: 'fixture', verdict: 'regression', boots: { head: { ok: 3, total: 3 } } }],
    });
    expect(comparison.subjects[0].boot.changePct).toBeGreaterThan(5);
    expect(r.stdout).toMatch(/::error::bootgate: regression — fixture:/);
    const comments = fake.comments.filter((c) => c.issue === 8);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('**Regression**');
    expect(r.stdout).toMatch(/fixture \[base\] boot 1\/3: boot \d+\.\d ms/);
    expect(r.stdout).toMatch(/fixture \[head\] boot 3\/3/);
    expect(r.stdout).toContain('::group::bootgate: boot base and head, interleaved');
  });

  test('passes a regression a maintainer accepted with the label, and says who accepted it', async ({
    fake,
    world: { repo },
    runPr,
  }) => {
    fake.addPull({
      number: 18,
      baseSha: repo.base,
      headSha: repo.slow,
      files: [{ filename: 'fixture-kernel.elf', status: 'modified' }],
    });
    fake.labelEvents.push(
      { issue: 18, event: 'labeled', label: 'boot-time-accepted', actor: 'someone-early', at: '2026-11-01T10:00:00Z' },
      {
        issue: 18,
        event: 'unlabeled',
        label: 'boot-time-accepted',
        actor: 'someone-early',
        at: '2026-11-01T11:00:00Z',
      },
      { issue: 18, event: 'labeled', label: 'boot-time-accepted', actor: 'maintainer-jo', at: '2026-11-02T09:30:00Z' },
    );
    const r = await runPr({ number: 18, base: repo.base, head: repo.slow, inputs: { alpha: '0.2' } });
    expect(r.code, explain(r)).toBe(0);
    expect(r.outputs['verdict']).toBe('regression');
    const body = fake.comments.find((c) => c.issue === 18)!.body;
    expect(body).toContain('**Regression**');
    expect(body).toMatch(/Accepted: @maintainer-jo added the label `boot-time-accepted` on 2026-11-02/);
    expect(fake.requests.some((q) => q.method === 'GET' && q.path.endsWith('/issues/18/events'))).toBe(true);

    // the label removed again: the same regression fails the step
    fake.labelEvents.push({
      issue: 18,
      event: 'unlabeled',
      label: 'boot-time-accepted',
      actor: 'maintainer-jo',
      at: '2026-11-03T09:30:00Z',
    });
    const again = await runPr({ number: 18, base: repo.base, head: repo.slow, inputs: { alpha: '0.2' } });
    expect(again.code, explain(again)).toBe(1);
    expect(fake.comments.find((c) => c.issue === 18)!.body).not.toContain('Accepted:');
  });

  // the cache round trip and cache service errors: action-warm-cache.test.ts (a custom subject caches nothing)

  test('refuses pull_request_target', async ({ fake, world: { repo }, runPr }) => {
    const r = await runPr({ number: 12, base: repo.base, head: repo.docs, eventName: 'pull_request_target' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::bootgate: mode pr refuses to run on pull_request_target');
    expect(fake.requests).toHaveLength(0);
  });
});
