import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GUEST_DEFAULTS } from '../boot/guest.js';
import { bootgateCacheDir } from '../config/cache-dir.js';
import { defaultBase, ensureWorktree, repoRoot, resolveCommit } from '../build/git-worktree.js';
import { identicalImage, type IdenticalImage } from '../build/identical-image.js';
import { prepareSubject } from '../build/index.js';
import type { Subject } from '../config/subjects.js';
import { hostFacts } from '../measure/host.js';
import type { ResultsDocument, SubjectResult } from '../measure/results.js';
import { resultsDocument, writeResults } from '../measure/results-file.js';
import { measure, type BootProgress, type MeasurePlan } from '../measure/run.js';
import { renderGateReport } from '../report/markdown.js';
import { compareResults, type Comparison, type GateOptions } from '../compare/index.js';
import { attempt, notBuiltResult } from './not-built.js';
import { adaptiveBoots, DEFAULT_MAX_RUNS, type AdaptivePair } from './adaptive.js';
import { planFor } from './plan.js';

export interface GateRunOptions {
  subjects: Subject[];
  /** repository for subjects without `source`; default: the current directory's */
  repo?: string;
  base?: string;
  head?: string;
  outDir: string;
  gate: GateOptions;
  runsOverride?: number;
  warmupOverride?: number;
  /** most counted boots per side (adaptive gate); default: each subject's `max-runs`, else DEFAULT_MAX_RUNS */
  maxRunsOverride?: number;
  log: (line: string) => void;
  onBoot?: (progress: BootProgress) => void;
  signal?: AbortSignal;
  /** where work trees go; default: the bootgate cache folder */
  worktreeDir?: string;
  reportTitle?: string;
  configName?: string;
  /** boot identical images anyway (the nightly needs tonight's boot times for its history) */
  bootIdenticalImages?: boolean;
}

export interface GateOutcome {
  comparison: Comparison;
  base: ResultsDocument;
  head: ResultsDocument;
  markdown: string;
  interrupted: boolean;
  files: { base: string; head: string; report: string };
}

/**
 * Builds base and head from separate work trees of the same repository, boots them interleaved
 * on this machine after warm-ups of each, and decides. Nothing from another run is used. A subject
 * that cannot be built on one side is recorded as such (src/engine/not-built.ts); the rest go on.
 */
export async function runGate(options: GateRunOptions): Promise<GateOutcome> {
  const outDir = path.resolve(options.outDir);
  const logDir = path.join(outDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const plans: MeasurePlan[] = [];
  // Per subject and side, in config order: a plan to boot, or the result of a failed build.
  const entries: { variant: 'base' | 'head'; plan?: number; notBuilt?: SubjectResult }[] = [];
  const refs = new Map<string, { base: string; head: string }>();
  // One work tree per commit, also when its creation failed: every subject then says so.
  const worktrees = new Map<string, Promise<string>>();
  const identical = new Map<string, IdenticalImage>();
  for (const subject of options.subjects) {
    if (options.signal?.aborted) break;
    const root = await repoRoot(subject.settings.source ?? options.repo ?? process.cwd());
    let commits = refs.get(root);
    if (!commits) {
      const head = await resolveCommit(root, options.head ?? 'HEAD', '--head');
      const base = options.base ? await resolveCommit(root, options.base, '--base') : await defaultBase(root, head);
      commits = { base, head };
      refs.set(root, commits);
      options.log(
        `${root}: base ${base.slice(0, 12)} (${options.base ?? 'merge-base'}), head ${head.slice(0, 12)} (${options.head ?? 'HEAD'})`,
      );
    }
    const parent =
      options.worktreeDir ??
      path.join(bootgateCacheDir(), 'worktrees', createHash('sha256').update(root).digest('hex').slice(0, 12));
    for (const variant of ['base', 'head'] as const) {
      const commit = commits[variant];
      const given = variant === 'base' ? (options.base ?? 'merge-base') : (options.head ?? 'HEAD');
      // a full SHA says nothing the commit column does not: show it short
      const ref = /^[0-9a-f]{40}$/i.test(given) ? given.slice(0, 12) : given;
      const key = `${root}\0${commit}`;
      if (!worktrees.has(key)) worktrees.set(key, ensureWorktree(root, commit, parent, options.log));
      const worktree = await attempt('checkout', options.signal, () => worktrees.get(key)!);
      const prepared = worktree?.ok
        ? await attempt('build', options.signal, async () => {
            options.log(`preparing ${subject.name} [${variant}] in ${worktree.value}`);
            const p = await prepareSubject(subject, {
              log: options.log,
              signal: options.signal,
              logDir,
              variant,
              worktree: { root: worktree.value, repoRoot: root },
            });
            return planFor(subject, p, {
              variant,
              ref,
              commit,
              runsOverride: options.runsOverride,
              warmupOverride: options.warmupOverride,
            });
          })
        : worktree;
      if (prepared === null) break;
      if (prepared.ok) {
        entries.push({ variant, plan: plans.push(prepared.value) - 1 });
      } else {
        const result = notBuiltResult(subject, { variant, ref, commit }, prepared.notBuilt);
        options.log(
          `${subject.name} [${variant}] could not be built (${prepared.notBuilt.stage}): ${prepared.notBuilt.reason}; the other subjects go on`,
        );
        entries.push({ variant, notBuilt: result });
      }
    }
    const basePlan = plans.find((p) => p.name === subject.name && p.variant === 'base');
    const headPlan = plans.find((p) => p.name === subject.name && p.variant === 'head');
    const same =
      options.bootIdenticalImages || !basePlan || !headPlan
        ? null
        : await identicalImage(basePlan.guest, headPlan.guest);
    if (same && basePlan && headPlan) {
      // No boot can tell two identical images apart: decide at once, spend nothing.
      options.log(`${subject.name}: identical image (${same}): no boots needed`);
      identical.set(subject.name, same);
      for (const plan of [basePlan, headPlan]) {
        plan.runs = 0;
        plan.warmup = 0;
      }
    }
  }
  const host = await hostFacts(plans[0]?.guest.qemu ?? GUEST_DEFAULTS.qemu);
  // base and head plan of each subject, found by name (not by position)
  const pairs: AdaptivePair[] = options.subjects.flatMap((subject) => {
    const base = plans.findIndex((p) => p.name === subject.name && p.variant === 'base');
    const head = plans.findIndex((p) => p.name === subject.name && p.variant === 'head');
    if (base < 0 || head < 0) return [];
    return [
      {
        name: subject.name,
        base,
        head,
        runs: plans[base]!.runs,
        maxRuns: options.maxRunsOverride ?? subject.settings['max-runs'] ?? DEFAULT_MAX_RUNS,
        deterministic: plans[base]!.instrument !== undefined,
        skip: identical.has(subject.name),
      },
    ];
  });
  const more = adaptiveBoots(pairs, options.gate);
  const measured = await measure(plans, {
    order: 'interleaved',
    logDir,
    logBase: outDir,
    signal: options.signal,
    onBoot: options.onBoot,
    more,
  });
  const { results } = measured;
  const interrupted = measured.interrupted || options.signal?.aborted === true;
  for (const r of results) {
    const same = identical.get(r.name);
    if (same) r.identicalImage = same;
  }
  const side = (variant: 'base' | 'head'): SubjectResult[] =>
    entries.filter((e) => e.variant === variant).map((e) => e.notBuilt ?? results[e.plan!]!);
  const base = resultsDocument(side('base'), host, interrupted);
  const head = resultsDocument(side('head'), host, interrupted);
  const comparison = compareResults(base.subjects, head.subjects, options.gate);
  const markdown = renderGateReport(comparison, {
    base,
    head,
    title: options.reportTitle,
    configName: options.configName,
  });
  const files = {
    base: path.join(outDir, 'base.json'),
    head: path.join(outDir, 'head.json'),
    report: path.join(outDir, 'report.md'),
  };
  await writeResults(files.base, base);
  await writeResults(files.head, head);
  await writeFile(files.report, markdown);
  return { comparison, base, head, markdown, interrupted, files };
}
