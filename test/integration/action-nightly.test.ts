// mode nightly: measure, append to the history on the data branch (Git Data API with a
// compare-and-swap on the ref), chart it, and raise an issue on a sustained regression.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { HISTORY_SCHEMA, type HistoryEntry, type HistoryFile } from '../../src/history/model.js';
import { hostFacts } from '../../src/measure/host.js';
import { explainRun as explain, SCHEDULE_PAYLOAD } from '../helpers/action-env.js';
import { git } from '../helpers/fixture-repo.js';
import { githubTest } from '../helpers/github-world.js';

const HISTORY_FILE = 'history/bootgate.yml/fixture.json';

const test = githubTest
  /** A clone of the fixture repository, named `name`, beside it. */
  .extend('clone', async ({ world }) => async (name: string): Promise<string> => {
    const dir = path.join(world.tmp, name);
    await git(world.tmp, ['clone', '-q', world.repo.dir, dir]);
    return dir;
  })
  /** A scheduled run of mode nightly in `workspace`, measuring the fixture subject. */
  .extend(
    'nightly',
    async ({ runAction, world }) =>
      (workspace: string, runId: number, inputs: Record<string, string> = {}) =>
        runAction({
          inputs: { mode: 'nightly', subjects: 'fixture', runs: '3', warmup: '0', cache: 'false', ...inputs },
          eventName: 'schedule',
          payload: SCHEDULE_PAYLOAD,
          workspace,
          runId,
          env: { BOOTGATE_CACHE_DIR: world.cacheDir },
        }),
  );

beforeAll(async () => {
  qemuVersion = (await hostFacts('qemu-system-i386')).qemu;
});

/** The QEMU the runs here use: seeded nights must match it, or no change point is tested across them. */
let qemuVersion = '';

function syntheticEntry(i: number, median: number): HistoryEntry {
  const at = new Date(Date.UTC(2026, 0, 1 + i, 3, 17)).toISOString();
  return {
    id: `seed-${i}`,
    at,
    commit: `${i}`.padStart(40, 'a'),
    ref: 'main',
    runUrl: null,
    host: { cpu: 'seed', cores: 2, os: 'seed', kernel: 'seed', qemu: qemuVersion, node: 'seed', compiler: null },
    summary: {
      n: 3,
      total: 3,
      failed: 0,
      median,
      ci95: [median * 0.99, median * 1.01],
      cv: 0.01,
      min: median,
      max: median,
      httpMedian: null,
      instructionsMedian: null,
    },
    bootMs: [median, median, median],
    httpMs: [null, null, null],
    instructions: [null, null, null],
    modules: [],
  };
}

describe('action, mode nightly', () => {
  describe('racing runs', () => {
    // Both runs build their commit on the same tip; the fake holds both ref updates until both
    // arrived, so one of them gets 422 and must rebuild on the other's commit.
    test.override('fakeOptions', { raceRefUpdates: 2 });

    test('two racing nightly runs both land in the history; chart and summary are written', async ({
      fake,
      clone,
      nightly,
    }) => {
      const [a, b] = await Promise.all([clone('nightly-a'), clone('nightly-b')]);
      const [ra, rb] = await Promise.all([nightly(a, 601), nightly(b, 602)]);
      expect(ra.code, explain(ra)).toBe(0);
      expect(rb.code, explain(rb)).toBe(0);
      const refUpdates = fake.requests.filter((r) => /\/git\/refs/.test(r.path) && r.method !== 'GET');
      expect(refUpdates.some((r) => r.status === 422)).toBe(true);

      const files = fake.branchFiles('bootgate-data');
      const history = JSON.parse(files.get(HISTORY_FILE)!) as HistoryFile;
      expect(history.schema).toBe(HISTORY_SCHEMA);
      expect(history.entries.map((e) => e.id).sort()).toEqual(['601-1', '602-1']);
      expect(history.entries[0]!.bootMs).toHaveLength(3);
      expect(history.entries[0]!.host.qemu).toMatch(/QEMU/);
      expect(fake.branchLength('bootgate-data')).toBe(2);
      expect(files.get('charts/bootgate.yml/fixture.svg')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      for (const r of [ra, rb]) {
        expect(r.outputs['verdict']).toBe('measured');
        expect(r.summary).toContain('#### History (data branch `bootgate-data`)');
      }
      const later = [ra, rb].find((r) => r.summary.includes('2 nightly runs'))!;
      expect(later.summary).toContain('xychart-beta');
    });
  });

  test('opens one issue on a sustained regression, updates it the next night, and fails the step', async ({
    fake,
    world,
    nightly,
  }) => {
    // Ten nights at ~10 ms, then four at ~1000 ms: with tonight's run, five nights at the new level.
    const entries = [
      ...Array.from({ length: 10 }, (_, i) => syntheticEntry(i, 10 + i * 0.013)),
      ...Array.from({ length: 4 }, (_, i) => syntheticEntry(10 + i, 1000 + i)),
    ];
    const seeded: HistoryFile = {
      schema: HISTORY_SCHEMA,
      config: 'bootgate.yml',
      subject: 'fixture',
      os: 'custom',
      entries,
    };
    fake.seedBranch('bootgate-data', { [HISTORY_FILE]: JSON.stringify(seeded) });

    const first = await nightly(world.repo.dir, 701);
    expect(first.code, explain(first)).toBe(1);
    expect(first.outputs['verdict']).toBe('regression');
    expect(first.stdout).toMatch(/::error::bootgate: sustained regression in fixture/);
    expect(fake.issues).toHaveLength(1);
    expect(fake.issues[0]!.body).toContain('<!-- bootgate-nightly:bootgate.yml -->');
    expect(fake.issues[0]!.title).toBe('bootgate: sustained boot-time regression (bootgate.yml)');
    expect(first.summary).toContain('(regression)');
    expect(first.summary).not.toContain('QEMU changed');

    const second = await nightly(world.repo.dir, 702, { 'fail-on-regression': 'false' });
    expect(second.code, explain(second)).toBe(0);
    expect(fake.issues).toHaveLength(1);
    expect(
      fake.writeCalls().filter((r) => r.path.endsWith(`/issues/${fake.issues[0]!.number}`) && r.method === 'PATCH'),
    ).toHaveLength(1);
    const history = JSON.parse(fake.branchFiles('bootgate-data').get(HISTORY_FILE)!) as HistoryFile;
    expect(history.entries).toHaveLength(16);
  });

  test('closes the regression issue with a comment once the level is back', async ({ fake, world, nightly }) => {
    // Last night's run opened the issue; tonight the history shows no sustained regression.
    fake.issues.push({
      number: 42,
      title: 'bootgate: sustained boot-time regression (bootgate.yml)',
      body: '<!-- bootgate-nightly:bootgate.yml -->\nold news',
      state: 'open',
      comments: [],
    });
    const r = await nightly(world.repo.dir, 901);
    expect(r.code, explain(r)).toBe(0);
    expect(r.outputs['verdict']).toBe('measured');
    expect(fake.issues[0]!.state).toBe('closed');
    expect(fake.issues[0]!.comments).toHaveLength(1);
    expect(fake.issues[0]!.comments[0]).toMatch(/no longer finds a sustained regression; closing/);
    expect(r.stdout).toMatch(/regression issue closed: https:\/\/github.com\/acme\/embox\/issues\/42/);
  });

  test('a subject that does not build: the others are measured and added, the summary says why, the issue stays open, the step fails', async ({
    fake,
    world,
    clone,
    nightly,
  }) => {
    fake.issues.push({
      number: 43,
      title: 'bootgate: sustained boot-time regression (bootgate.yml)',
      body: '<!-- bootgate-nightly:bootgate.yml -->\nstill open',
      state: 'open',
      comments: [],
    });
    const workspace = await clone('nightly-broken');
    await git(workspace, ['checkout', '-q', world.repo.broken]);
    // Two subjects: the fixture (its kernel is deleted at this commit) and a copy that still builds.
    const config = (await readFile(path.join(workspace, 'bootgate.yml'), 'utf8')).replace(
      '  - name: x86-qemu',
      `  - name: fixture-prebuilt\n    os: custom\n    always: true\n    kernel: ${world.fixtureKernel}\n    qemu: qemu-system-i386\n    memory: 64\n    network: false\n    start-marker: "bootgate-fixture: kernel start"\n    ready-marker: "bootgate-fixture: ready"\n    timeout: 30\n  - name: x86-qemu`,
    );
    await writeFile(path.join(workspace, 'bootgate.yml'), config);
    const r = await nightly(workspace, 902, { subjects: 'fixture,fixture-prebuilt' });
    expect(r.code, explain(r)).toBe(1);
    expect(r.stdout).toMatch(
      /::error::bootgate: not built at [0-9a-f]{12}, so not measured: fixture \(build: build of fixture exited with code 1/,
    );
    expect(r.summary).toContain('#### Not built');
    expect(r.summary).toContain("cp: cannot stat 'fixture-kernel.elf': No such file or directory");
    expect(r.stdout).toMatch(/fixture-prebuilt boot 3\/3/);
    const files = fake.branchFiles('bootgate-data');
    const histories = [...files.keys()].filter((f) => f.startsWith('history/'));
    expect(histories).toHaveLength(1);
    expect(histories[0]).toMatch(/fixture-prebuilt\.json$/);
    expect(fake.issues[0]!.state).toBe('open');
    expect(r.stdout).toContain('regression issue: left as it is, since not every subject was measured');
  });

  test("boots the previous night's commit beside tonight's, interleaved, and says whether boot time moved", async ({
    fake,
    world,
    clone,
    nightly,
  }) => {
    // last night measured the base commit; tonight's checkout is the slow kernel
    const seeded: HistoryFile = {
      schema: HISTORY_SCHEMA,
      config: 'bootgate.yml',
      subject: 'fixture',
      os: 'custom',
      entries: [{ ...syntheticEntry(0, 10), commit: world.repo.base }],
    };
    fake.seedBranch('bootgate-data', { [HISTORY_FILE]: JSON.stringify(seeded) });
    const tonight = await clone('nightly-slow');
    await git(tonight, ['checkout', '-q', world.repo.slow]);
    const r = await nightly(tonight, 801);
    expect(r.code, explain(r)).toBe(0);
    expect(r.outputs['since-previous-night']).toBe('regression');
    expect(r.summary).toContain(
      `since the previous night (${world.repo.base.slice(0, 12)} → ${world.repo.slow.slice(0, 12)})`,
    );
    expect(r.stdout).toMatch(/::warning::bootgate: the changes since the previous night made boot time slower/);
    const history = JSON.parse(fake.branchFiles('bootgate-data').get(HISTORY_FILE)!) as HistoryFile;
    expect(history.entries).toHaveLength(2);
    expect(history.entries[1]!.commit).toBe(world.repo.slow);
    expect(history.entries[1]!.bootMs.length).toBeGreaterThanOrEqual(3);
  });

  test('refuses pull_request events', async ({ fake, world, runAction }) => {
    const r = await runAction({
      inputs: { mode: 'nightly' },
      eventName: 'pull_request',
      payload: {},
      workspace: world.repo.dir,
      runId: 801,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('mode nightly measures the default branch');
    expect(fake.requests).toEqual([]);
  });
});
