// What the runner tells the action about the run: environment variables and the event payload.
// Read explicitly (not through @actions/github's context) so that every field the action relies on
// is checked here, with an error naming what is missing.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  baseRef: string;
  headRef: string;
  /** owner/name the head branch lives in; null when the fork was deleted */
  headRepo: string | null;
  baseRepo: string;
  /** head repository differs from the base: the run's token cannot write to the base */
  isFork: boolean;
}

export interface WorkflowRunInfo {
  id: number;
  headSha: string;
  event: string;
  conclusion: string | null;
  /** owner/name of the repository the triggering run's head came from */
  headRepo: string | null;
  htmlUrl: string | null;
}

export interface RunContext {
  eventName: string;
  payload: Record<string, unknown>;
  owner: string;
  repo: string;
  workspace: string;
  /** RUNNER_TEMP, or the OS temp folder outside a runner */
  temp: string;
  sha: string;
  runId: string;
  runAttempt: string;
  serverUrl: string;
  runUrl: string | null;
  pullRequest: PullRequestInfo | null;
  workflowRun: WorkflowRunInfo | null;
}

export class ContextError extends Error {
  override readonly name = 'ContextError';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : null;

function pullRequestInfo(payload: Record<string, unknown>, repository: string): PullRequestInfo | null {
  const pr = obj(payload['pull_request']);
  if (!pr) return null;
  const base = obj(pr['base']);
  const head = obj(pr['head']);
  const number = typeof pr['number'] === 'number' ? pr['number'] : Number(payload['number']);
  const baseSha = str(base?.['sha']);
  const headSha = str(head?.['sha']);
  if (!Number.isInteger(number) || !baseSha || !headSha) {
    throw new ContextError('event payload: pull_request needs number, base.sha and head.sha');
  }
  const headRepo = str(obj(head?.['repo'])?.['full_name']);
  const baseRepo = str(obj(base?.['repo'])?.['full_name']) ?? repository;
  return {
    number,
    baseSha,
    headSha,
    baseRef: str(base?.['ref']) ?? '',
    headRef: str(head?.['ref']) ?? '',
    headRepo,
    baseRepo,
    isFork: headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
  };
}

function workflowRunInfo(payload: Record<string, unknown>): WorkflowRunInfo | null {
  const run = obj(payload['workflow_run']);
  if (!run) return null;
  const id = Number(run['id']);
  if (!Number.isInteger(id) || id <= 0) throw new ContextError('event payload: workflow_run.id is missing');
  return {
    id,
    headSha: str(run['head_sha']) ?? '',
    event: str(run['event']) ?? '',
    conclusion: str(run['conclusion']),
    headRepo: str(obj(run['head_repository'])?.['full_name']),
    htmlUrl: str(run['html_url']),
  };
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const repository = env['GITHUB_REPOSITORY'];
  if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new ContextError(
      `GITHUB_REPOSITORY: expected "owner/name", got ${JSON.stringify(repository ?? '')}; run bootgate as a step of a GitHub Actions job`,
    );
  }
  const [owner, repo] = repository.split('/') as [string, string];
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  let payload: Record<string, unknown> = {};
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath) {
    try {
      payload = obj(JSON.parse(readFileSync(eventPath, 'utf8'))) ?? {};
    } catch (error) {
      throw new ContextError(
        `GITHUB_EVENT_PATH: cannot read the event payload ${eventPath}: ${(error as Error).message}`,
      );
    }
  }
  const serverUrl = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
  const runId = env['GITHUB_RUN_ID'] ?? '';
  return {
    eventName,
    payload,
    owner,
    repo,
    workspace: path.resolve(env['GITHUB_WORKSPACE'] ?? process.cwd()),
    temp: path.resolve(env['RUNNER_TEMP'] ?? os.tmpdir()),
    sha: env['GITHUB_SHA'] ?? '',
    runId,
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    serverUrl,
    runUrl: runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : null,
    pullRequest: pullRequestInfo(payload, repository),
    workflowRun: workflowRunInfo(payload),
  };
}
