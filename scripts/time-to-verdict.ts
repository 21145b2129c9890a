// Times the action's pr mode on a real repository (docs/measurement.md, "Time to a verdict"): the
// bundled action (dist/index.js) runs against the test suite's fake GitHub, as the action tests run
// it, first with an empty bootgate cache and an empty fake cache service (cold), then again with the
// cache folder emptied, which the action fills from the fake cache service (warm: a new runner
// whose actions/cache entries were saved by the first run). The folder's path stays the same: it is
// part of an actions/cache entry's version, as on a runner. With --cache <dir>, every run uses that
// folder as it is (a runner whose cache folder already holds what an earlier run left).
// Prints one JSON line per run.
//
// (bundled two folders below the repository root: the helpers find dist/index.js from there)
//   npx esbuild scripts/time-to-verdict.ts --bundle --platform=node --format=esm --packages=external --outfile=scripts/.build/time-to-verdict.mjs
//   node scripts/.build/time-to-verdict.mjs --repo <clone> --base <sha> --head <sha> --out <dir> [--download-dir <dir>] [--config <file>] [--runs cold,warm] [--cache <dir> | --seed-cache <dir>]
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeGitHub } from '../test/helpers/fake-github.js';
import { pullRequestPayload, runActionProcess } from '../test/helpers/action-env.js';
import { git } from '../test/helpers/fixture-repo.js';

interface Boot {
  ok: boolean;
  bootMs: number | null;
  httpMs: number | null;
}
interface Doc {
  subjects: { name: string; build: { seconds: number; cached: boolean } | null; warmup: Boot[]; boots: Boot[] }[];
}

const BOOT_LINE = /\[(base|head)\] (boot|warm-up) \d+\/\d+/;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      base: { type: 'string' },
      head: { type: 'string' },
      out: { type: 'string' },
      'download-dir': { type: 'string' },
      config: { type: 'string' },
      runs: { type: 'string', default: 'cold,warm' },
      cache: { type: 'string' },
      'seed-cache': { type: 'string' },
    },
  });
  const { repo, out } = values;
  if (!repo || !values.base || !values.head || !out)
    throw new Error('usage: --repo <dir> --base <sha> --head <sha> --out <dir>');
  const base = (await git(repo, ['rev-parse', values.base])).trim();
  const head = (await git(repo, ['rev-parse', values.head])).trim();
  const files = (await git(repo, ['diff', '--name-only', base, head])).trim().split('\n').filter(Boolean);
  const fake = new FakeGitHub({ owner: 'acme', repo: 'embox' });
  await fake.start();
  try {
    fake.addPull({
      number: 1,
      baseSha: base,
      headSha: head,
      files: files.map((filename) => ({ filename, status: 'modified' })),
    });
    let runId = 500;
    for (const label of values.runs.split(',')) {
      const runDir = path.join(out, `run-${label}`);
      const cacheDir = values.cache ?? path.join(out, 'cache');
      // every run starts with an empty cache folder, as on a fresh runner (unless --cache names one)
      if (!values.cache) await rm(cacheDir, { recursive: true, force: true });
      // --seed-cache: the first run starts from a copy of a filled folder (and saves its cache
      // entries), so the next run restores them without a cold build first
      if (runId === 500 && values['seed-cache']) await cp(values['seed-cache'], cacheDir, { recursive: true });
      await rm(runDir, { recursive: true, force: true });
      const stamps: { at: number; line: string }[] = [];
      let partial = '';
      const began = Date.now();
      const result = await runActionProcess({
        inputs: {
          ...(values['download-dir'] ? { 'download-dir': values['download-dir'] } : {}),
          ...(values.config ? { config: values.config } : {}),
        },
        eventName: 'pull_request',
        payload: pullRequestPayload({ number: 1, baseSha: base, headSha: head, repo: 'acme/embox' }),
        workspace: repo,
        runDir,
        fake,
        runId: runId++,
        env: { BOOTGATE_CACHE_DIR: cacheDir },
        timeoutMs: 3_600_000,
        onStdout: (chunk) => {
          const at = Date.now() - began;
          const lines = (partial + chunk).split('\n');
          partial = lines.pop()!;
          for (const line of lines) stamps.push({ at, line });
        },
      });
      const totalS = (Date.now() - began) / 1000;
      const boots = stamps.filter((s) => BOOT_LINE.test(s.line));
      const firstBoot = stamps.findIndex((s) => BOOT_LINE.test(s.line));
      // The boot phase starts when the last line before the first boot report was printed (the
      // builds are over then) and ends at the last boot report. Workflow commands (the boot
      // group's header) are skipped: the action opens that group when the first boot reports.
      let before = firstBoot - 1;
      while (before >= 0 && stamps[before]!.line.startsWith('::')) before -= 1;
      const bootStart = firstBoot > 0 && before >= 0 ? stamps[before]!.at : null;
      const bootEnd = boots.at(-1)?.at ?? null;
      const resultsDir = result.outputs['results-path'];
      const sides: Doc[] = [];
      for (const side of ['base', 'head']) {
        try {
          sides.push(JSON.parse(await readFile(path.join(resultsDir ?? '', `${side}.json`), 'utf8')) as Doc);
        } catch {
          // no boots on that side (e.g. identical images)
        }
      }
      const all = sides.flatMap((d) => d.subjects.flatMap((s) => [...s.warmup, ...s.boots]));
      const sum = (pick: (b: Boot) => number | null): number =>
        all.reduce((a, b) => a + (b.ok ? (pick(b) ?? 0) : 0), 0) / 1000;
      const bootPhaseS = bootStart !== null && bootEnd !== null ? (bootEnd - bootStart) / 1000 : null;
      console.log(
        JSON.stringify({
          run: label,
          code: result.code,
          verdict: result.outputs['verdict'] ?? null,
          totalS,
          builds: sides.flatMap((d) =>
            d.subjects.map((s) => ({
              side: d === sides[0] ? 'base' : 'head',
              seconds: s.build?.seconds ?? null,
              cached: s.build?.cached ?? null,
            })),
          ),
          beforeBootsS: bootStart !== null ? bootStart / 1000 : null,
          bootPhaseS,
          afterBootsS: bootEnd !== null ? totalS - bootEnd / 1000 : null,
          boots: all.length,
          sumBootS: sum((b) => b.bootMs),
          sumHttpS: sum((b) => b.httpMs),
          efficiency: bootPhaseS ? sum((b) => b.httpMs ?? b.bootMs) / bootPhaseS : null,
          verdictText: result.outputs['verdict-text'] ?? null,
        }),
      );
      if (result.code !== 0)
        process.stderr.write(
          `${label}: exit ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}\n`,
        );
    }
  } finally {
    await fake.stop();
  }
}

await main();
