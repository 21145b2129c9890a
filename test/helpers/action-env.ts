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

/** Runs git with an argument array in `cwd`; returns stdout. Identity fixed so commits work anywhere. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const child = spawn('git', args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${err}`);
  return out.trim();
}

/** Writes `files` (relative path → content) into the repository and commits them; returns the commit. */
export async function commitFiles(repo: string, files: Record<string, string | Buffer>, message: string): Promise<string> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
    await writeFile(path.join(repo, rel), content);
  }
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', message]);
  return git(repo, ['rev-parse', 'HEAD']);
}

/** A real-shaped pull_request event payload (the fields the action and @actions/github read). */
export function pullRequestPayload(o: { number: number; baseSha: string; headSha: string; repo: string; headRepo?: string }): unknown {
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
      head: { ref: 'feature', sha: o.headSha, repo: { full_name: headRepo, name: headRepo.split('/')[1], owner: { login: headRepo.split('/')[0] }, fork: headRepo !== o.repo } },
    },
    repository: { full_name: o.repo, name, owner: { login: owner } },
    sender: { login: 'contributor', type: 'User' },
  };
}

/** The test repository's config: the multiboot fixture as an `always` subject, and an Embox subject that cannot build here. */
export const FIXTURE_CONFIG = `version: 1
defaults:
  runs: 3
  warmup: 0
subjects:
  - name: fixture
    os: custom
    always: true
    kernel: kernel.elf
    build-command: cp fixture-kernel.elf kernel.elf
    qemu: qemu-system-i386
    memory: 64
    network: false
    start-marker: "bootgate-fixture: kernel start"
    ready-marker: "bootgate-fixture: ready"
    timeout: 30
  - name: x86-qemu
    os: embox
    source: .
    template: x86/qemu
`;

/** A config with no `always` subject: a PR that touches no template measures nothing. */
export const TEMPLATES_ONLY_CONFIG = `version: 1
subjects:
  - name: x86-qemu
    os: embox
    source: .
    template: x86/qemu
`;

export interface FixtureRepo {
  dir: string;
  /** bootgate.yml (and bootgate-templates.yml), the fixture kernel, an Embox-like templates/ folder */
  base: string;
  /** README change only */
  docs: string;
  /** the fixture kernel replaced by a slower build */
  slow: string;
  /** the fixture kernel deleted: the fixture's build command (cp) fails */
  broken: string;
  /** an edit of the Embox-like template: selects the x86-qemu subject, which cannot build here */
  template: string;
}

/** A git repository whose commits differ in what the action should see. */
export async function makeFixtureRepo(dir: string, kernel: Buffer, slowKernel: Buffer): Promise<FixtureRepo> {
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  const base = await commitFiles(dir, {
    'bootgate.yml': FIXTURE_CONFIG,
    'bootgate-templates.yml': TEMPLATES_ONLY_CONFIG,
    'fixture-kernel.elf': kernel,
    'README.md': 'fixture repository\n',
    '.gitignore': 'kernel.elf\n',
    'templates/x86/qemu/build.conf': 'TARGET = embox\nARCH = x86\n',
  }, 'base');
  const docs = await commitFiles(dir, { 'README.md': 'fixture repository, documented\n' }, 'docs');
  await git(dir, ['checkout', '-q', '-b', 'slow', base]);
  const slow = await commitFiles(dir, { 'fixture-kernel.elf': slowKernel }, 'slow kernel');
  await git(dir, ['checkout', '-q', '-b', 'broken', base]);
  await git(dir, ['rm', '-q', 'fixture-kernel.elf']);
  const broken = await commitFiles(dir, { 'README.md': 'fixture repository, kernel deleted\n' }, 'kernel deleted');
  await git(dir, ['checkout', '-q', '-b', 'template', base]);
  const template = await commitFiles(dir, { 'templates/x86/qemu/build.conf': 'TARGET = embox\nARCH = x86\n# tuned\n' }, 'template edit');
  await git(dir, ['checkout', '-q', 'main']);
  return { dir, base, docs, slow, broken, template };
}

export interface FixtureWorld {
  tmp: string;
  cacheDir: string;
  repo: FixtureRepo;
  /** the multiboot fixture kernel, built: a subject that needs no build */
  fixtureKernel: string;
}

/**
 * A temporary folder with the fixture repository and a bootgate cache folder holding the fixture
 * kernels (built with the repository's own builder; the slow one does 3× the work).
 */
export async function prepareFixtureWorld(prefix: string): Promise<FixtureWorld> {
  const { mkdtemp, readFile } = await import('node:fs/promises');
  const os = await import('node:os');
  const { buildMultibootFixture } = await import('../../src/build/multiboot-fixture.js');
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  const cacheDir = path.join(tmp, 'cache');
  const fixture = await buildMultibootFixture({ cacheDir });
  const slow = await buildMultibootFixture({ cacheDir, workPercent: 300 });
  const repo = await makeFixtureRepo(path.join(tmp, 'repo'), await readFile(fixture.kernel), await readFile(slow.kernel));
  return { tmp, cacheDir, repo, fixtureKernel: fixture.kernel };
}

export const explainRun = (r: ActionResult): string => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
