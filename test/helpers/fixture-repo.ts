import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { multibootFixtureSettings, type MultibootFixtureOptions } from '../../src/build/multiboot-fixture.js';
import type { Subject } from '../../src/config/subjects.js';

export const CLI = path.resolve('dist/cli.js');

/**
 * A git repository whose commits hold multiboot-fixture options; its build command turns the
 * checked-out options into kernel.elf with `bootgate fixture`. Returns the commit of each step.
 */
export async function fixtureRepo(steps: { params: MultibootFixtureOptions; note?: string }[]): Promise<{ dir: string; commits: string[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-repo-'));
  const git = (...args: string[]) => execa('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
  await git('init', '-q', '-b', 'main');
  const commits: string[] = [];
  for (const [i, step] of steps.entries()) {
    await writeFile(path.join(dir, 'params.json'), `${JSON.stringify(step.params, null, 2)}\n`);
    await writeFile(path.join(dir, 'NOTES.md'), `${step.note ?? `step ${i}`}\n`);
    await git('add', '-A');
    await git('commit', '-qm', `step ${i}`);
    commits.push(String((await git('rev-parse', 'HEAD')).stdout).trim());
  }
  return { dir, commits };
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
