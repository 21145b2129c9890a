// Runs the bundled action (dist/index.js) the way the runner does: a child `node dist/index.js`
// with INPUT_* variables, an event payload file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and
// every service URL pointed at the fake GitHub. The environment is built from scratch, so a test
// run inside GitHub Actions does not leak the real runner's variables into the child.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeGitHub } from './fake-github.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ACTION_ENTRY = path.join(REPO_ROOT, 'dist', 'index.js');

export interface ActionRun {
  inputs: Record<string, string>;
  eventName: string;
  payload: unknown;
  workspace: string;
  /** a folder of this run's own: RUNNER_TEMP, the event file, outputs and summary go here */
  runDir: string;
  fake: FakeGitHub;
  runId: number;
  jobId?: string;
  token?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** each chunk of the action's stdout as it arrives (e.g. to time its stages) */
  onStdout?: (chunk: string) => void;
}

export interface ActionResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  ms: number;
}

/** The input's environment variable as the runner names it: upper case, spaces → `_`, dashes kept. */
export const inputVariable = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** An unsigned JWT whose `scp` claim carries the backend ids @actions/artifact reads. */
export function runtimeToken(runId: number, jobId: string): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scp: `Actions.GenericRead:00000000 Actions.Results:run-${runId}:${jobId}`, exp: 4102444800 })}.sig`;
}

/** Parses a GITHUB_OUTPUT file (`name<<delimiter` blocks, as @actions/core writes them). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
      out[m[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [k, ...v] = lines[i]!.split('=');
      out[k!] = v.join('=');
    }
  }
  return out;
}

export async function runActionProcess(run: ActionRun): Promise<ActionResult> {
  const temp = path.join(run.runDir, 'runner-temp');
  await mkdir(temp, { recursive: true });
  const eventPath = path.join(run.runDir, 'event.json');
  const outputPath = path.join(run.runDir, 'output.txt');
  const summaryPath = path.join(run.runDir, 'summary.md');
  await writeFile(eventPath, JSON.stringify(run.payload));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: run.fake.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${run.fake.options.owner}/${run.fake.options.repo}`,
    GITHUB_REPOSITORY_OWNER: run.fake.options.owner,
    GITHUB_EVENT_NAME: run.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: run.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_RUN_ID: String(run.runId),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: '',
    GITHUB_REF_NAME: 'main',
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    ACTIONS_RUNTIME_TOKEN: runtimeToken(run.runId, run.jobId ?? 'job-1'),
    ACTIONS_RESULTS_URL: `${run.fake.url}/`,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ...(process.env['BOOTGATE_CACHE_DIR'] ? { BOOTGATE_CACHE_DIR: process.env['BOOTGATE_CACHE_DIR'] } : {}),
    ...run.env,
  };
  for (const [name, value] of Object.entries(run.inputs)) env[inputVariable(name)] = value;
  if (!('github-token' in run.inputs)) env[inputVariable('github-token')] = run.token ?? 'fake-write-token';

  const started = Date.now();
  const child = spawn(process.execPath, [ACTION_ENTRY], { cwd: run.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    run.onStdout?.(d.toString());
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = run.timeoutMs ?? 120_000;
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
    ms: Date.now() - started,
  };
}

/** A real-shaped pull_request event payload (the fields the action and @actions/github read). */
export function pullRequestPayload(o: {
  number: number;
  baseSha: string;
  headSha: string;
  repo: string;
  headRepo?: string;
}): unknown {
  const [owner, name] = o.repo.split('/');
  const headRepo = o.headRepo ?? o.repo;
  return {
    action: 'synchronize',
    number: o.number,
    pull_request: {
      number: o.number,
      state: 'open',
      title: 'A change',
      html_url: `https://github.com/${o.repo}/pull/${o.number}`,
      user: { login: 'contributor', type: 'User' },
      base: { ref: 'main', sha: o.baseSha, repo: { full_name: o.repo, name, owner: { login: owner }, fork: false } },
      head: {
        ref: 'feature',
        sha: o.headSha,
        repo: {
          full_name: headRepo,
          name: headRepo.split('/')[1],
          owner: { login: headRepo.split('/')[0] },
          fork: headRepo !== o.repo,
        },
      },
    },
    repository: { full_name: o.repo, name, owner: { login: owner } },
    sender: { login: 'contributor', type: 'User' },
  };
}

/** A schedule event of acme/embox (mode nightly). */
export const SCHEDULE_PAYLOAD = {
  schedule: '17 3 * * *',
  repository: { full_name: 'acme/embox', name: 'embox', owner: { login: 'acme' } },
};

/** A workflow_run event of the base repository, for the pull_request run `runId` of a fork at `headSha`. */
export function workflowRunPayload(runId: number, headSha: string): unknown {
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

export const explainRun = (r: ActionResult): string =>
  `exit ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
