// scripts/test-summary.mjs on a report written by this vitest: a suite whose beforeAll fails marks
// its tests skipped, and the summary must still count it as a failure.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/action-env.js';

const SUMMARY = path.join(REPO_ROOT, 'scripts', 'test-summary.mjs');
const VITEST = path.join(REPO_ROOT, 'node_modules', '.bin', 'vitest');
let dir: string;

/** Runs vitest on `files` in a folder of their own; returns the JSON report's path. */
async function vitestReport(name: string, files: Record<string, string>): Promise<string> {
  const root = path.join(dir, name);
  await execa('mkdir', ['-p', root]);
  await writeFile(path.join(root, 'vitest.config.mjs'), 'export default {};\n');
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(root, file), text);
  const report = path.join(root, 'report.json');
  // A clean environment: the outer vitest's variables would change how the inner one runs.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'),
  );
  await execa(VITEST, ['run', '--root', root, '--reporter=json', `--outputFile=${report}`], {
    reject: false,
    env,
    extendEnv: false,
    timeout: 60_000,
  });
  return report;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-summary-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scripts/test-summary.mjs', () => {
  it('counts a suite whose beforeAll failed, and exits 1, although no test "failed"', async () => {
    const report = await vitestReport('failing-setup', {
      'setup.test.mjs': `import { beforeAll, describe, expect, it } from 'vitest';
describe('needs a fixture', () => {
  beforeAll(() => { throw new Error('fixture build failed'); });
  it('one', () => expect(1).toBe(1));
  it('two', () => expect(1).toBe(1));
});
`,
      'fine.test.mjs': `import { expect, it } from 'vitest';\nit('passes', () => expect(1).toBe(1));\n`,
    });
    const r = await execa('node', [SUMMARY, report], { reject: false });
    expect(r.stdout).toMatch(
      /^tests: 1 passed, 0 failed, 2 skipped; suites: [1-9]\d* failed \(in .*setup\.test\.mjs\)$/,
    );
    expect(r.exitCode).toBe(1);
  }, 90_000);

  it('a clean run: 0 failed suites, exit 0', async () => {
    const report = await vitestReport('clean', {
      'fine.test.mjs': `import { expect, it } from 'vitest';\nit('passes', () => expect(1).toBe(1));\n`,
    });
    const r = await execa('node', [SUMMARY, report], { reject: false });
    expect(r.stdout).toBe('tests: 1 passed, 0 failed, 0 skipped; suites: 0 failed');
    expect(r.exitCode).toBe(0);
  }, 90_000);

  it('no report (vitest died before writing it): says so, exit 1', async () => {
    const r = await execa('node', [SUMMARY, path.join(dir, 'missing.json')], { reject: false });
    expect(r.stdout).toMatch(/^tests: no readable vitest report at .*missing\.json/);
    expect(r.exitCode).toBe(1);
  });
});
