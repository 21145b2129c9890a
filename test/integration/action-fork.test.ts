// Fork pull requests: the pr run makes no write call and hands over an artifact; mode report, run
// from a workflow_run workflow with a write token, turns it into the sticky comment.
import { describe, expect } from 'vitest';
import { explainRun as explain } from '../helpers/action-env.js';
import { githubTest as test } from '../helpers/github-world.js';

const MARKER = '<!-- bootgate-report:bootgate.yml -->';

describe('action, fork pull requests', () => {
  // the fork's token can read, not write
  test.override('fakeOptions', { readOnlyToken: 'fork-read-only-token' });

  test('a fork run makes no write call and uploads the report; mode report posts it, once', async ({
    fake,
    world,
    runPr,
    runReport,
  }) => {
    const { repo } = world;
    fake.addPull({
      number: 9,
      baseSha: repo.base,
      headSha: repo.docs,
      files: [{ filename: 'README.md', status: 'modified' }],
    });
    const forkRun = await runPr({
      number: 9,
      base: repo.base,
      head: repo.docs,
      headRepo: 'evil/embox',
      runId: 500,
      token: 'fork-read-only-token',
    });
    expect(forkRun.code, explain(forkRun)).toBe(0);
    expect(fake.writeCalls()).toEqual([]);
    expect(forkRun.stdout).toContain('companion');
    const artifact = fake.artifacts.find((a) => a.name === 'bootgate-report');
    expect(artifact?.finalized).toBe(true);
    expect(artifact?.runBackendId).toBe('run-500');
    expect(fake.storage.get(artifact!.blobKey)!.length).toBeGreaterThan(100);
    expect(fake.comments).toHaveLength(0);

    const report = async (runId: number, headSha: string) =>
      runReport({ prRunId: 500, headSha, runId, workspace: repo.dir });
    const first = await report(501, repo.docs);
    expect(first.code, explain(first)).toBe(0);
    const second = await report(502, repo.docs);
    expect(second.code, explain(second)).toBe(0);
    const comments = fake.comments.filter((c) => c.issue === 9);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(MARKER);
    expect(comments[0]!.body).toContain('| fixture |');
    expect(comments[0]!.body).toContain('actions/runs/500');
    expect(first.outputs['comment-url']).toMatch(/pull\/9#issuecomment-/);
    // The artifact was fetched through the public API of the triggering run.
    expect(fake.requests.some((r) => r.path === '/repos/acme/embox/actions/runs/500/artifacts')).toBe(true);

    // A report whose PR has moved on since is not posted.
    const stale = await report(503, repo.slow);
    expect(stale.code, explain(stale)).toBe(0);
    expect(stale.stdout).toContain('not posting a stale or mismatched report');
    expect(fake.comments.filter((c) => c.issue === 9)).toHaveLength(1);
  });

  test('mode report without an artifact (a same-repository PR) does nothing', async ({ fake, world, runReport }) => {
    const r = await runReport({ prRunId: 777, headSha: world.repo.docs, runId: 778, workspace: world.repo.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain('has no bootgate-report artifact');
    expect(fake.writeCalls()).toEqual([]);
  });
});
