// Fork pull requests: the pr run makes no write call and hands over an artifact; mode report, run
// from a workflow_run workflow with a write token, turns it into the sticky comment.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainRun as explain, prepareFixtureWorld, pullRequestPayload, runActionProcess, type FixtureWorld } from '../helpers/action-env.js';
import { FakeGitHub } from '../helpers/fake-github.js';

const MARKER = '<!-- bootgate-report:bootgate.yml -->';
let world: FixtureWorld;

beforeAll(async () => {
  world = await prepareFixtureWorld('bootgate-action-fork-');
});

afterAll(async () => {
  if (world) await rm(world.tmp, { recursive: true, force: true });
});

function workflowRunPayload(runId: number, headSha: string): unknown {
  return {
    action: 'completed',
    workflow_run: {
      id: runId,
      name: 'bootgate',
      event: 'pull_request',
      status: 'completed',
      conclusion: 'success',
      head_sha: headSha,
      head_branch: 'feature',
      html_url: `https://github.com/acme/embox/actions/runs/${runId}`,
      head_repository: { full_name: 'evil/embox' },
      repository: { full_name: 'acme/embox' },
      pull_requests: [],
    },
    repository: { full_name: 'acme/embox', name: 'embox', owner: { login: 'acme' } },
    sender: { login: 'contributor', type: 'User' },
  };
}

describe('action, fork pull requests', () => {
  it('a fork run makes no write call and uploads the report; mode report posts it, once', async () => {
    const fake = new FakeGitHub({ owner: 'acme', repo: 'embox', readOnlyToken: 'fork-read-only-token' });
    await fake.start();
    try {
      const { repo } = world;
      fake.addPull({ number: 9, baseSha: repo.base, headSha: repo.docs, files: [{ filename: 'README.md', status: 'modified' }] });
      const forkRun = await runActionProcess({
        inputs: { runs: '3', warmup: '0', cache: 'false' },
        eventName: 'pull_request',
        payload: pullRequestPayload({ number: 9, baseSha: repo.base, headSha: repo.docs, repo: 'acme/embox', headRepo: 'evil/embox' }),
        workspace: repo.dir, runDir: path.join(world.tmp, 'fork-run'), fake, runId: 500, token: 'fork-read-only-token',
        env: { BOOTGATE_CACHE_DIR: world.cacheDir },
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
        runActionProcess({
          inputs: { mode: 'report' },
          eventName: 'workflow_run',
          payload: workflowRunPayload(500, headSha),
          workspace: repo.dir, runDir: path.join(world.tmp, `report-run-${runId}`), fake, runId, token: 'base-write-token',
        });
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
    } finally {
      await fake.stop();
    }
  });

  it('mode report without an artifact (a same-repository PR) does nothing', async () => {
    const fake = new FakeGitHub({ owner: 'acme', repo: 'embox' });
    await fake.start();
    try {
      const r = await runActionProcess({
        inputs: { mode: 'report' }, eventName: 'workflow_run', payload: workflowRunPayload(777, world.repo.docs),
        workspace: world.repo.dir, runDir: path.join(world.tmp, 'report-none'), fake, runId: 778,
      });
      expect(r.code, explain(r)).toBe(0);
      expect(r.stdout).toContain('has no bootgate-report artifact');
      expect(fake.writeCalls()).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});
