import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  buildMultibootFixture,
  DEFAULT_FIXTURE_MODULES,
  multibootFixtureSettings,
  type FixtureModule,
} from '../build/multiboot-fixture.js';
import { guestFromSettings } from '../build/guest-settings.js';
import { hostFacts } from '../measure/host.js';
import { measure, type MeasurePlan } from '../measure/run.js';
import { decide, DEFAULT_VERDICT_OPTIONS, sequentialGate, summarize } from '../stats/index.js';
import { DEFAULT_MAX_RUNS, lookStep } from './adaptive.js';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_RUNS } from './plan.js';

/**
 * How often the gate cries wolf, and how often it catches a real slowdown, on this machine.
 * Boots pools of the baseline fixture and of copies doing 3 % and 5 % more work, interleaved
 * (so drift hits all alike), then replays many gates by drawing n boots per side at random from
 * the pools: every gate is made of real boots, without booting 100 × 40 times.
 */
export type Workload = 'timer' | 'cpu';

const WORKLOADS: Record<Workload, { title: string; modules: () => FixtureModule[] }> = {
  timer: {
    title:
      'Timer-dominated guest (the default fixture: mostly TSC waits, like Embox x86/qemu whose boot is mostly its TSC calibration sleep)',
    modules: () => DEFAULT_FIXTURE_MODULES,
  },
  cpu: {
    title:
      'Compute-bound guest (the fixture with CPU loops only: the speed at which QEMU runs guest code is what varies)',
    modules: () => DEFAULT_FIXTURE_MODULES.map((m) => ({ name: m.name, iterations: m.iterations * 10, waitUs: 0 })),
  },
};

/** Real boots taken before (e.g. by `bootgate gate` on real Embox): a base and a head results file. */
export interface PoolFiles {
  base: string;
  head: string;
  /** how the boots were taken, for the heading (e.g. "quiet machine") */
  label: string;
}

export async function runAccuracyBench(options: {
  poolSize: number;
  gates: number;
  sizes: number[];
  workloads: Workload[];
  pools?: PoolFiles[];
  out?: string;
  log: (l: string) => void;
  seed?: number;
}): Promise<string> {
  // the pool files first: a bad one is refused before minutes of booting
  const real: string[] = [];
  for (const pool of options.pools ?? []) real.push(await realPoolSection(pool, options.gates, options.seed));
  const sections: string[] = [];
  for (const workload of options.workloads) {
    options.log(`${workload} workload`);
    sections.push(await accuracySection(workload, options));
  }
  if (real.length > 0) {
    sections.push(
      '## Real boots read from results files',
      '',
      "Pools of real boots taken before and committed (bench/pools/README.md says how), read from bootgate's",
      'results files: no booting here. Identical images: both sides drawn from the base pool; the threshold',
      'shift: the base pool again, every head boot plus exactly the default threshold (3 % of the base',
      'median), so the true shift is known; the real head: its own boots (the shift in its medians is what',
      'it measured). Draws are with replacement, so a gate mixes boots from the whole pool: read the rates',
      'as estimates for gates on a machine in the same state as when the pool was taken.',
      '',
    );
    sections.push(...real);
  }
  const host = await hostFacts('qemu-system-i386');
  const text = [
    '# Gate accuracy on this machine',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${host.cpu} (${host.cores} cores), ${host.os}, ${host.qemu}, by \`npm run bench:accuracy\`.`,
    '',
    'Method: pools of real boots of the multiboot fixture, booted interleaved (baseline, +3 % work, +5 % work), so',
    'a drift of the machine hits every pool alike. Each gate then draws n boots per side at random from the pools',
    '(identical-image gates: two disjoint draws from the baseline pool, which is twice as large) and applies',
    `the verdict with the default threshold ${DEFAULT_VERDICT_OPTIONS.thresholdPct} % and alpha ${DEFAULT_VERDICT_OPTIONS.alpha}. Every gate is made of real boots,`,
    'without booting 100 × 40 times; gates drawn from one pool are not independent, so read the rates as estimates.',
    '',
    ...sections,
    'A regression is flagged when the Mann–Whitney p < alpha and the 95 % CI of the Hodges–Lehmann shift',
    'reaches the threshold (docs/statistics.md); the adaptive rows use the levels of each look instead. The goal:',
    'at most 1 false alarm in 100 gates, and a slowdown equal to the threshold caught in ≥ 95 % of adaptive gates.',
    '',
  ].join('\n');
  if (options.out) await writeFile(options.out, text);
  return text;
}

async function accuracySection(
  workload: Workload,
  options: { poolSize: number; gates: number; sizes: number[]; log: (l: string) => void; seed?: number },
): Promise<string> {
  const variants = [
    { label: 'baseline', workPercent: 100 },
    { label: '+3 %', workPercent: 103 },
    { label: '+5 %', workPercent: 105 },
  ];
  const plans: MeasurePlan[] = [];
  for (const v of variants) {
    const f = await buildMultibootFixture({ modules: WORKLOADS[workload].modules(), workPercent: v.workPercent });
    const guest = guestFromSettings(v.label, multibootFixtureSettings(f.kernel));
    // the baseline pool is twice as large: identical-image gates draw both sides from it
    plans.push({
      name: v.label,
      os: 'custom',
      variant: null,
      guest,
      runs: v.workPercent === 100 ? options.poolSize * 2 : options.poolSize,
      warmup: 1,
    });
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-accuracy-'));
  const began = Date.now();
  let done = 0;
  const total = plans.reduce((a, p) => a + p.runs + p.warmup, 0);
  const { results } = await measure(plans, {
    order: 'interleaved',
    logDir: workDir,
    logBase: workDir,
    onBoot: () => {
      done += 1;
      if (done % 25 === 0) options.log(`  ${done}/${total} boots`);
    },
  });
  await rm(workDir, { recursive: true, force: true });
  const pools = results.map((r) => r.boots.filter((b) => b.ok).map((b) => b.bootMs!));
  const failed = results.reduce((a, r) => a + r.summary.failed, 0);
  const [baseline, slow3, slow5] = pools as [number[], number[], number[]];
  let seed = options.seed ?? 20261126;
  const random = (): number => {
    // mulberry32: reproducible draws
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const draw = (pool: number[], n: number, exclude = new Set<number>()): { values: number[]; used: Set<number> } => {
    const used = new Set<number>();
    while (used.size < n) {
      const i = Math.floor(random() * pool.length);
      if (!exclude.has(i)) used.add(i);
    }
    return { values: [...used].map((i) => pool[i]!), used };
  };
  const rows: string[] = [];
  for (const n of options.sizes) {
    const count = { fa: 0, inc0: 0, d3: 0, d5: 0 };
    for (let g = 0; g < options.gates; g++) {
      const a = draw(baseline, n);
      const b = draw(baseline, n, a.used);
      const v0 = decide(a.values, b.values, DEFAULT_VERDICT_OPTIONS);
      if (v0.state === 'regression') count.fa += 1;
      if (v0.state === 'inconclusive') count.inc0 += 1;
      if (decide(draw(baseline, n).values, draw(slow3, n).values, DEFAULT_VERDICT_OPTIONS).state === 'regression')
        count.d3 += 1;
      if (decide(draw(baseline, n).values, draw(slow5, n).values, DEFAULT_VERDICT_OPTIONS).state === 'regression')
        count.d5 += 1;
    }
    const pct = (k: number): string => `${k}/${options.gates} (${((100 * k) / options.gates).toFixed(0)} %)`;
    rows.push(`| ${n} | ${pct(count.fa)} | ${pct(count.inc0)} | ${pct(count.d3)} | ${pct(count.d5)} |`);
  }
  const s = pools.map((p) => summarize(p)!);
  const adaptive = adaptiveTable(
    [
      { label: 'identical images', base: baseline, head: baseline },
      { label: '+3 % work', base: baseline, head: slow3 },
      { label: '+5 % work', base: baseline, head: slow5 },
    ],
    options.gates,
    random,
  );
  return [
    `## ${WORKLOADS[workload].title}`,
    '',
    `Pools: baseline ${pools[0]!.length} boots (median ${s[0]!.median.toFixed(1)} ms, CV ${(s[0]!.cv * 100).toFixed(2)} %), +3 % work ${pools[1]!.length} boots`,
    `(median ${s[1]!.median.toFixed(1)} ms), +5 % work ${pools[2]!.length} boots (median ${s[2]!.median.toFixed(1)} ms); ${failed} failed boots;`,
    `${((Date.now() - began) / 60000).toFixed(1)} min of booting. ${options.gates} gates per row.`,
    '',
    '| boots per side | false alarms (identical images) | inconclusive (identical) | 3 % slowdown flagged | 5 % slowdown flagged |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...adaptive,
  ].join('\n');
}

/**
 * Rows for the adaptive gate with the default design (runs, max-runs, a look every lookStep pairs):
 * each gate draws pairs with replacement from the pools until it decides.
 */
export function adaptiveTable(
  cases: { label: string; base: number[]; head: number[] }[],
  gates: number,
  random: () => number,
): string[] {
  const design = { runs: DEFAULT_RUNS, maxRuns: DEFAULT_MAX_RUNS, step: lookStep(DEFAULT_RUNS) };
  const pick = (pool: number[]): number => pool[Math.floor(random() * pool.length)]!;
  const rows = cases.map((c) => {
    const states = { regression: 0, improvement: 0, 'no change': 0, inconclusive: 0 };
    const used: number[] = [];
    for (let g = 0; g < gates; g++) {
      const { verdict, perSide } = sequentialGate(() => [pick(c.base), pick(c.head)], design, DEFAULT_VERDICT_OPTIONS);
      states[verdict.state] += 1;
      used.push(perSide);
    }
    used.sort((a, b) => a - b);
    const mean = used.reduce((a, b) => a + b, 0) / gates;
    const p95 = used[Math.ceil(0.95 * gates) - 1]!;
    const pct = (k: number): string => `${k}/${gates} (${((100 * k) / gates).toFixed(0)} %)`;
    return `| ${c.label} | ${pct(states.regression)} | ${pct(states['no change'])} | ${pct(states.inconclusive)} | ${mean.toFixed(1)} | ${p95} |`;
  });
  return [
    `Adaptive gate (default design: ${design.runs} pairs, then ${design.step} more per look while inconclusive, at most ${design.maxRuns} per side;`,
    `threshold ${DEFAULT_VERDICT_OPTIONS.thresholdPct} %, alpha ${DEFAULT_VERDICT_OPTIONS.alpha} spent over the looks), ${gates} gates per row, boots drawn with replacement from the pools:`,
    '',
    '| head | flagged regression | no change | inconclusive at the cap | mean boots per side | 95th percentile boots per side |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

/**
 * Adaptive-gate rows from real boots already taken (e.g. a gate's base.json and head.json on real
 * Embox): identical images = two draws from the base pool, and base vs head. No booting.
 */
async function poolOf(file: string): Promise<{ name: string; values: number[]; cpu: string; qemu: string }> {
  const { readResults } = await import('../measure/results-file.js');
  const doc = await readResults(file);
  const subject = doc.subjects[0];
  if (!subject) throw new ConfigError(`${file}: no subject in the results file`);
  const values = subject.boots.filter((b) => b.ok && b.bootMs !== null).map((b) => b.bootMs!);
  if (values.length < 3) throw new ConfigError(`${file}: ${values.length} successful boots; a pool needs at least 3`);
  return { name: subject.name, values, cpu: doc.host.cpu, qemu: doc.host.qemu };
}

/** Adaptive-gate rows on a pool of real boots: identical images, a shift equal to the threshold, the real head. */
export async function realPoolSection(pool: PoolFiles, gates: number, seed = 20261129): Promise<string> {
  const base = await poolOf(pool.base);
  const head = await poolOf(pool.head);
  const random = mulberry32(seed);
  const sb = summarize(base.values)!;
  const sh = summarize(head.values)!;
  const thresholdMs = (DEFAULT_VERDICT_OPTIONS.thresholdPct / 100) * sb.median;
  const shifted = base.values.map((v) => v + thresholdMs);
  const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  return [
    `### ${base.name}, ${pool.label}`,
    '',
    `Pools: base ${base.values.length} boots (median ${sb.median.toFixed(1)} ms, CV ${(sb.cv * 100).toFixed(2)} %), ` +
      `head ${head.values.length} boots (median ${sh.median.toFixed(1)} ms, CV ${(sh.cv * 100).toFixed(2)} %); ${base.cpu}, ${base.qemu}; ${pool.base}, ${pool.head}.`,
    '',
    ...adaptiveTable(
      [
        { label: 'identical images (base vs base)', base: base.values, head: base.values },
        {
          label: `shift equal to the threshold (base boots ${signed(thresholdMs)} ms)`,
          base: base.values,
          head: shifted,
        },
        {
          label: `the real head (${signed(sh.median - sb.median)} ms in the medians)`,
          base: base.values,
          head: head.values,
        },
      ],
      gates,
      random,
    ),
  ].join('\n');
}

/** mulberry32: reproducible draws */
function mulberry32(start: number): () => number {
  let seed = start;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function replayAdaptive(options: {
  base: string;
  head: string;
  gates: number;
  seed?: number;
}): Promise<string> {
  const { readResults } = await import('../measure/results-file.js');
  const pool = async (file: string): Promise<{ name: string; values: number[] }> => {
    const doc = await readResults(file);
    const subject = doc.subjects[0];
    if (!subject) throw new Error(`${file}: no subject`);
    return { name: subject.name, values: subject.boots.filter((b) => b.ok && b.bootMs !== null).map((b) => b.bootMs!) };
  };
  const base = await pool(options.base);
  const head = await pool(options.head);
  let seed = options.seed ?? 20261129;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const sb = summarize(base.values)!;
  const sh = summarize(head.values)!;
  return [
    `Pools of real boots: ${base.name} base ${base.values.length} boots (median ${sb.median.toFixed(1)} ms, CV ${(sb.cv * 100).toFixed(2)} %), ` +
      `head ${head.values.length} boots (median ${sh.median.toFixed(1)} ms, CV ${(sh.cv * 100).toFixed(2)} %); ${options.base}, ${options.head}.`,
    '',
    ...adaptiveTable(
      [
        { label: 'identical images (base vs base)', base: base.values, head: base.values },
        {
          label: `this head (${sh.median - sb.median >= 0 ? '+' : ''}${(sh.median - sb.median).toFixed(1)} ms in the medians)`,
          base: base.values,
          head: head.values,
        },
      ],
      options.gates,
      random,
    ),
  ].join('\n');
}
