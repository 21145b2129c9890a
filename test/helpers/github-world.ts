// The fake GitHub world of the action tests as vitest fixtures: a test names what it needs
// (`fake`, `world`, `runAction`, `runPr`, `runReport`) and gets it set up, and torn down after.
//
//   fake       a started FakeGitHub for acme/embox, stopped after the test. Its options come from
//              `fakeOptions`: `githubTest.override('fakeOptions', { readOnlyToken: 'x' })` in a describe.
//   workDir    a temporary folder per file (run folders go there), removed after the file.
//   world      per file: the fixture repository and a cache folder holding the fixture kernels.
//   runAction  runs dist/index.js against `fake`; run folder, run id and workspace (workDir) have defaults.
//   runPr      a pull_request run of the fixture repository (acme/embox); inputs over `prInputs`.
//   runReport  mode report in a workflow_run of the base repository, for a fork's PR run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import {
  pullRequestPayload,
  runActionProcess,
  workflowRunPayload,
  type ActionResult,
  type ActionRun,
} from './action-env.js';
import { FakeGitHub, type FakeGitHubOptions } from './fake-github.js';
import { prepareFixtureWorld } from './fixture-repo.js';

export const REPO = 'acme/embox';

/** What a test gives runAction: the run's event and inputs; the rest has defaults. */
export type RunOptions = Omit<ActionRun, 'fake' | 'runDir' | 'runId' | 'workspace'> &
  Partial<Pick<ActionRun, 'runDir' | 'runId' | 'workspace'>>;

/** An action run's result and the run id it had (the id a fork's artifact is filed under). */
export type RunResult = ActionResult & { runId: number };

export interface PrRun {
  number: number;
  base: string;
  head: string;
  /** over the file's `prInputs` */
  inputs?: Record<string, string>;
  /** a fork's full name; the base repository's when not given */
  headRepo?: string;
  token?: string;
  eventName?: string;
  runId?: number;
  jobId?: string;
}

export interface ReportRun {
  /** the pull_request run whose artifact is reported */
  prRunId: number;
  headSha: string;
  /** this run's own id; the next free one when not given */
  runId?: number;
  workspace?: string;
  runDir?: string;
}

/** Run ids handed out when a test names none: unique within a file, far from the ids tests pick. */
let nextRunId = 100;
/** Run folders are unique even when jobs share a run id (matrix shards). */
let nextRunDir = 1;

export const githubTest = test
  .extend('fakeOptions', {} as Partial<FakeGitHubOptions>)
  .extend('workDir', { scope: 'file' }, async ({}, { onCleanup }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-action-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    return dir;
  })
  .extend('world', { scope: 'file' }, async ({}, { onCleanup }) => {
    const world = await prepareFixtureWorld('bootgate-action-world-');
    onCleanup(() => rm(world.tmp, { recursive: true, force: true }));
    return world;
  })
  .extend('fake', async ({ fakeOptions }, { onCleanup }) => {
    const fake = new FakeGitHub({ owner: 'acme', repo: 'embox', ...fakeOptions });
    await fake.start();
    onCleanup(() => fake.stop());
    return fake;
  })
  .extend('runAction', async ({ fake, workDir }) => {
    return async (run: RunOptions): Promise<RunResult> => {
      const runId = run.runId ?? nextRunId++;
      const result = await runActionProcess({
        ...run,
        workspace: run.workspace ?? workDir,
        runDir: run.runDir ?? path.join(workDir, `run-${nextRunDir++}`),
        runId,
        fake,
      });
      return { ...result, runId };
    };
  })
  /** Inputs of every runPr in the file (a file overrides them); a test's own inputs go over them. */
  .extend('prInputs', { runs: '3', warmup: '0', cache: 'false' } as Record<string, string>)
  .extend('runPr', async ({ runAction, world, prInputs }) => {
    return (o: PrRun): Promise<RunResult> =>
      runAction({
        inputs: { ...prInputs, ...o.inputs },
        eventName: o.eventName ?? 'pull_request',
        payload: pullRequestPayload({
          number: o.number,
          baseSha: o.base,
          headSha: o.head,
          repo: REPO,
          headRepo: o.headRepo,
        }),
        workspace: world.repo.dir,
        runId: o.runId,
        jobId: o.jobId,
        token: o.token,
        env: { BOOTGATE_CACHE_DIR: world.cacheDir },
      });
  })
  .extend('runReport', async ({ runAction }) => {
    return (o: ReportRun): Promise<RunResult> =>
      runAction({
        inputs: { mode: 'report' },
        eventName: 'workflow_run',
        payload: workflowRunPayload(o.prRunId, o.headSha),
        workspace: o.workspace,
        runDir: o.runDir,
        runId: o.runId,
        token: 'base-write-token',
      });
  });
