// Git repositories for tests, built in one way: `createRepo` + `commitFiles`. The two fixture
// repositories the integration tests share are built on it: `fixtureRepo` (commits of
// multiboot-fixture options, for `bootgate gate`) and `makeFixtureRepo` (the action's repository).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  buildMultibootFixture,
  multibootFixtureSettings,
  type MultibootFixtureOptions,
} from '../../src/build/multiboot-fixture.js';
import type { Subject } from '../../src/config/subjects.js';

export const CLI = path.resolve('dist/cli.js');

/** A fixed identity, so that commits work on a machine without a git config. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** Runs git with an argument array in `cwd`; returns stdout, trimmed. Fails naming the command and git's stderr. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: IDENTITY, reject: false });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Writes `files` (relative path → content; null deletes the file), stages everything and commits; returns the commit. */
export async function commitFiles(
  repo: string,
  files: Record<string, string | Buffer | null>,
  message: string,
): Promise<string> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(repo, rel);
    if (content === null) {
      await rm(file, { force: true });
    } else {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
  }
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '--allow-empty', '-m', message]);
  return git(repo, ['rev-parse', 'HEAD']);
}

export interface TestRepo {
  dir: string;
  /** git in this repository */
  git(...args: string[]): Promise<string>;
  /** commitFiles in this repository */
  commit(files: Record<string, string | Buffer | null>, message: string): Promise<string>;
}

/** `git init -b main` in `dir` (created if needed; a new temporary folder when not given). */
export async function createRepo(dir?: string): Promise<TestRepo> {
  const repo = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'bootgate-repo-')));
  await mkdir(repo, { recursive: true });
  await git(repo, ['init', '-q', '-b', 'main']);
  return {
    dir: repo,
    git: (...args) => git(repo, args),
    commit: (files, message) => commitFiles(repo, files, message),
  };
}

/**
 * A git repository whose commits hold multiboot-fixture options; its build command turns the
 * checked-out options into kernel.elf with `bootgate fixture`. Returns the commit of each step.
 */
export async function fixtureRepo(
  steps: { params: MultibootFixtureOptions; note?: string }[],
): Promise<{ dir: string; commits: string[] }> {
  const repo = await createRepo();
  const commits: string[] = [];
  for (const [i, step] of steps.entries()) {
    commits.push(
      await repo.commit(
        { 'params.json': `${JSON.stringify(step.params, null, 2)}\n`, 'NOTES.md': `${step.note ?? `step ${i}`}\n` },
        `step ${i}`,
      ),
    );
  }
  return { dir: repo.dir, commits };
}

export function fixtureSubject(dir: string, overrides: Subject['settings'] = {}): Subject {
  return {
    name: 'fixture',
    os: 'custom',
    settings: {
      ...multibootFixtureSettings(path.join(dir, 'kernel.elf')),
      source: dir,
      'build-command': `node ${CLI} fixture --params params.json --out kernel.elf`,
      ...overrides,
    },
  };
}

/** The action's test repository config: the multiboot fixture as an `always` subject, and an Embox subject that cannot build here. */
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

/** The action's test repository: a git repository whose commits differ in what the action should see. */
export async function makeFixtureRepo(dir: string, kernel: Buffer, slowKernel: Buffer): Promise<FixtureRepo> {
  const repo = await createRepo(dir);
  const base = await repo.commit(
    {
      'bootgate.yml': FIXTURE_CONFIG,
      'bootgate-templates.yml': TEMPLATES_ONLY_CONFIG,
      'fixture-kernel.elf': kernel,
      'README.md': 'fixture repository\n',
      '.gitignore': 'kernel.elf\n',
      'templates/x86/qemu/build.conf': 'TARGET = embox\nARCH = x86\n',
    },
    'base',
  );
  const docs = await repo.commit({ 'README.md': 'fixture repository, documented\n' }, 'docs');
  await repo.git('checkout', '-q', '-b', 'slow', base);
  const slow = await repo.commit({ 'fixture-kernel.elf': slowKernel }, 'slow kernel');
  await repo.git('checkout', '-q', '-b', 'broken', base);
  const broken = await repo.commit(
    { 'fixture-kernel.elf': null, 'README.md': 'fixture repository, kernel deleted\n' },
    'kernel deleted',
  );
  await repo.git('checkout', '-q', '-b', 'template', base);
  const template = await repo.commit(
    { 'templates/x86/qemu/build.conf': 'TARGET = embox\nARCH = x86\n# tuned\n' },
    'template edit',
  );
  await repo.git('checkout', '-q', 'main');
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
 * A temporary folder with the action's fixture repository and a bootgate cache folder holding the
 * fixture kernels (built with the repository's own builder; the slow one does 3× the work).
 */
export async function prepareFixtureWorld(prefix: string): Promise<FixtureWorld> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  const cacheDir = path.join(tmp, 'cache');
  const fixture = await buildMultibootFixture({ cacheDir });
  const slow = await buildMultibootFixture({ cacheDir, workPercent: 300 });
  const repo = await makeFixtureRepo(
    path.join(tmp, 'repo'),
    await readFile(fixture.kernel),
    await readFile(slow.kernel),
  );
  return { tmp, cacheDir, repo, fixtureKernel: fixture.kernel };
}
