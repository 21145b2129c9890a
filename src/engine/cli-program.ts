import { parseModuleThresholdOrNull, parseThreshold } from '../config/threshold.js';
import { perSubjectOptions } from './gate-options.js';
import { Command, CommanderError } from 'commander';
import { ConfigError, isInputError } from '../config/errors.js';
import { stripControl } from '../report/escape.js';
import { subjectFlags, subjectOptions } from '../config/flags.js';
import { loadConfigFile } from '../config/load.js';
import { LIMITS } from '../config/schema.js';
import { resolveSubjects, type Subject } from '../config/subjects.js';
import { abortOnSignals } from '../boot/children.js';
import { resultsTable } from '../report/terminal.js';
import { colourEnabled, colours, createReporter, type Reporter } from '../report/progress.js';
import { writeExports, type ExportTargets } from '../report/exports.js';
import { runView } from './view.js';
import type { SubjectResult } from '../measure/results.js';
import { VERSION } from '../version.js';
import { runMeasure } from './measure.js';
import { demoSubjects } from './demo.js';
import { runHarnessBench } from './bench-harness.js';
import { runGate } from './gate.js';
import { realPoolSection, replayAdaptive, runAccuracyBench, type PoolFiles } from './bench-accuracy.js';
import { buildFixtureCommand } from './fixture.js';
import { packagesFor } from './packages.js';
import { runCompare } from './compare.js';
import { comparisonSummary } from '../report/terminal.js';
import { DEFAULT_GATE_OPTIONS, type Comparison, type GateOptions } from '../stats/index.js';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, regression: 1, usage: 2, bootsFailed: 3, error: 4, interrupted: 130 } as const;

interface CommonOptions {
  config?: string;
  subject?: string[];
  json?: string;
  out?: string;
  quiet?: boolean;
  runs?: string;
  warmup?: string;
  [key: string]: unknown;
}

function addSubjectOptions(command: Command): Command {
  command
    .option('-c, --config <file>', 'bootgate.yml listing the subjects')
    .option('-s, --subject <name...>', 'only these subjects of the config')
    .option('--name <name>', 'name of the subject given by flags (no config file)');
  for (const option of subjectOptions()) command.addOption(option);
  return command;
}

async function subjectsFrom(opts: CommonOptions): Promise<Subject[]> {
  const flags = subjectFlags(opts);
  const file = opts.config ? await loadConfigFile(opts.config) : undefined;
  return resolveSubjects({ file, flags, only: opts.subject, name: opts.name as string | undefined });
}

/** Progress on stderr: a status line with a bar on a terminal, plain lines otherwise. */
function reporter(quiet: boolean | undefined): Reporter {
  return createReporter({ quiet: !!quiet });
}

/** --export-* flags: the machine-readable formats (measure also has the hyperfine-style tables). */
function addExportOptions(command: Command, tables: boolean): Command {
  command
    .option('--export-bmf <file>', 'write the results as Bencher Metric Format JSON (bencher run --adapter json)')
    .option('--export-benchmark-action <file>', "write github-action-benchmark's customSmallerIsBetter JSON");
  if (tables) {
    command
      .option('--export-csv <file>', 'write a CSV table, one row per subject (as hyperfine --export-csv)')
      .option('--export-markdown <file>', 'write a Markdown table (as hyperfine --export-markdown)');
  }
  return command;
}

function exportTargets(opts: CommonOptions): ExportTargets {
  const file = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { bmf: file(opts.exportBmf), benchmarkAction: file(opts.exportBenchmarkAction), csv: file(opts.exportCsv), markdown: file(opts.exportMarkdown) };
}

async function exportAndSay(opts: CommonOptions, subjects: readonly SubjectResult[], comparison?: Comparison): Promise<void> {
  for (const file of await writeExports(exportTargets(opts), subjects, comparison)) process.stderr.write(`exported: ${file}\n`);
}

/** The verdict line in colour on a terminal (red regression, green improvement), honouring NO_COLOR. */
function paintVerdict(summary: string, state: Comparison['state']): string {
  const paint = colours(colourEnabled(process.stdout));
  const colour = state === 'regression' ? paint.red : state === 'improvement' ? paint.green : state === 'inconclusive' ? paint.yellow : paint.bold;
  return summary.replace(/^verdict: .*$/m, (line) => colour(line));
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('bootgate')
    .description('Boot unikernels under QEMU (TCG), time kernel start → httpd serving, and gate pull requests on it.')
    .version(VERSION, '-V, --version', 'print the version')
    // A typo gets commander's "Did you mean …?" and one hint line, not the whole help again.
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for the usage)')
    .exitOverride();

  addSubjectOptions(
    program
      .command('measure')
      .description('build and boot each subject N times; print the table, write the results JSON')
      .option('--json <file>', 'write the results document here (serial logs beside it)')
      .option('--out <dir>', 'folder for logs when --json is not given', 'bootgate-out')
      .option('-q, --quiet', 'only failures and the final table (for CI logs)'),
  ).action(async (opts: CommonOptions) => {
    const subjects = await subjectsFrom(opts);
    setExit(await measureCommand(async () => subjects, opts, {}));
  });

  program
    .command('demo')
    .description('build the bundled fixture guests (a multiboot kernel and a Linux+busybox httpd) and measure them')
    .option('--json <file>', 'write the results document here')
    .option('--out <dir>', 'folder for logs when --json is not given', 'bootgate-out')
    .option('--runs <n>', 'counted boots per guest', '10')
    .option('--warmup <n>', 'warm-up boots per guest', '1')
    .option('-q, --quiet', 'only failures and the final table')
    .action(async (opts: CommonOptions) => {
      const overrides = { runsOverride: positive(opts.runs, '--runs', LIMITS.runs), warmupOverride: nonNegative(opts.warmup, '--warmup', LIMITS.warmup) };
      setExit(await measureCommand(demoSubjects, opts, overrides));
    });

  addSubjectOptions(
    program
      .command('gate')
      .description('build base and head from git work trees, boot them interleaved, decide; exit 1 on a regression')
      .option('--base <ref>', 'base commit (default: merge-base of head with the default branch)')
      .option('--head <ref>', 'head commit', 'HEAD')
      .option('--repo <dir>', 'repository for subjects without --source (default: the current one)')
      .option('--out <dir>', 'folder for base.json, head.json, report.md and logs', 'bootgate-out')
      .option('--alpha <p>', 'significance level', String(DEFAULT_GATE_OPTIONS.alpha))
      .option('--fail-on-inconclusive', 'exit 1 when the data cannot decide')
      .option('-q, --quiet', 'only failures and the verdict'),
  ).action(async (opts: CommonOptions) => {
    const subjects = await subjectsFrom(opts);
    const controller = new AbortController();
    const release = abortOnSignals(controller);
    const progress = reporter(opts.quiet);
    try {
      const { log, onBoot } = progress;
      const outcome = await runGate({
        subjects, repo: opts.repo as string | undefined, base: opts.base as string | undefined, head: opts.head as string | undefined,
        outDir: opts.out ?? 'bootgate-out', gate: gateOptions(opts, subjects), log, onBoot, signal: controller.signal,
        configName: opts.config ? String(opts.config) : undefined,
      });
      progress.done();
      process.stdout.write(`${paintVerdict(comparisonSummary(outcome.comparison), outcome.comparison.state)}\n`);
      process.stderr.write(`wrote ${outcome.files.base}, ${outcome.files.head}, ${outcome.files.report}\n`);
      await exportAndSay(opts, outcome.head.subjects, outcome.comparison);
      setExit(outcome.interrupted ? EXIT.interrupted : gateExit(outcome.comparison, !!opts.failOnInconclusive));
    } finally {
      progress.done();
      release();
    }
  });

  program
    .command('compare')
    .description('the gate\'s verdict from two results files; writes the PR comment Markdown')
    .requiredOption('--base <file>', 'results JSON of the base')
    .requiredOption('--head <file>', 'results JSON of the head')
    .option('--markdown <file>', 'write the report Markdown here')
    .option('--threshold <value>', 'regression threshold: "3%" of the base median or "40ms"', `${DEFAULT_GATE_OPTIONS.thresholdPct}%`)
    .option('--module-threshold <ms>', 'a module this much slower (e.g. "10ms") is a regression line of its own')
    .option('--instructions-threshold <pct>', 'regression threshold for instruction counts, percent', String(DEFAULT_GATE_OPTIONS.instructionsThresholdPct))
    .option('--alpha <p>', 'significance level', String(DEFAULT_GATE_OPTIONS.alpha))
    .option('--fail-on-inconclusive', 'exit 1 when the data cannot decide')
    .action(async (opts: CommonOptions) => {
      const { comparison, markdown, head } = await runCompare({ baseFile: String(opts.base), headFile: String(opts.head), gate: gateOptions(opts, []) });
      if (opts.markdown) await (await import('node:fs/promises')).writeFile(String(opts.markdown), markdown);
      process.stdout.write(`${paintVerdict(comparisonSummary(comparison), comparison.state)}\n`);
      await exportAndSay(opts, head.subjects, comparison);
      setExit(gateExit(comparison, !!opts.failOnInconclusive));
    });

  program
    .command('view')
    .description('write a dashboard page (one HTML file, no server) for results files: a measure run, or a gate\'s base.json and head.json')
    .argument('<files...>', 'results JSON files (measure --json, or gate\'s base.json head.json)')
    .option('--out <page>', 'where to write the page', 'bootgate-view.html')
    .action(async (files: string[], opts: CommonOptions) => {
      process.stdout.write(`${await runView({ files, out: opts.out })}\n`);
    });

  addSubjectOptions(
    program
      .command('packages')
      .description('print the Debian packages the subjects need to build and boot (QEMU, cross compilers), one per line'),
  ).action(async (opts: CommonOptions) => {
    process.stdout.write((await packagesFor(await subjectsFrom(opts))).map((p) => `${p}\n`).join(''));
  });

  program
    .command('fixture')
    .description('build the multiboot fixture kernel (the guest the tests, the demo and the self-test use) and copy it to --out')
    .requiredOption('--out <file>', 'where to put kernel.elf')
    .option('--params <file>', 'JSON file of fixture options (workPercent, slowModule, extraIterations, modules, …)')
    .option('--work-percent <n>', 'every module does this percent of the baseline work')
    .option('--extra-iterations <n>', 'extra busy-loop iterations (2 instructions each) in the first module')
    .option('--arch <machine>', 'build the non-x86 fixture for this machine instead: arm (integratorcp), aarch64 (virt), riscv64, riscv32 (virt)')
    .option('--start-line <text>', 'with --arch: the first line the fixture prints')
    .option('--ready-text <text>', 'with --arch: the text it prints last (use $\'…\\n\' for a line; without a newline it is a prompt)')
    .action(async (opts: CommonOptions) => {
      const file = await buildFixtureCommand({
        out: String(opts.out), params: opts.params as string | undefined,
        arch: opts.arch as string | undefined, startLine: opts.startLine as string | undefined, readyText: opts.readyText as string | undefined,
        workPercent: opts.workPercent === undefined ? undefined : number(opts.workPercent, '--work-percent', 0, 10_000),
        extraIterations: opts.extraIterations === undefined ? undefined : nonNegative(opts.extraIterations, '--extra-iterations', Number.MAX_SAFE_INTEGER),
      });
      process.stdout.write(`${file}\n`);
    });

  program
    .command('bench-accuracy')
    .description('measure the gate\'s false-alarm and detection rates on this machine (writes docs/accuracy.md)')
    .option('--pool <n>', 'boots per slowed variant (the baseline pool is twice this)', '60')
    .option('--gates <n>', 'gates replayed per size', '100')
    .option('--out <file>', 'write the Markdown table here', 'docs/accuracy.md')
    .option('--replay <files>', 'no booting: adaptive-gate rows from the boots in <base.json>,<head.json> (e.g. a gate on real Embox), printed')
    .option('--pools <files...>', 'also rows from pools of real boots taken before: <base.json>,<head.json>,<label> each (e.g. bench/pools)')
    .option('--no-fixture', 'with --pools: no fixture boots; only the rows of the pools, printed (nothing written)')
    .action(async (opts: CommonOptions) => {
      if (opts.replay !== undefined) {
        const [base, head, extra] = String(opts.replay).split(',');
        if (!base || !head || extra !== undefined) throw new ConfigError(`command line --replay: expected "<base.json>,<head.json>", got "${String(opts.replay)}"`);
        process.stdout.write(`${await replayAdaptive({ base, head, gates: positive(opts.gates, '--gates', 100_000) })}\n`);
        return;
      }
      if (opts.fixture === false) {
        const pools = poolFiles(opts.pools);
        if (pools.length === 0) throw new ConfigError('command line --no-fixture: give --pools, or there is nothing to measure');
        const gates = positive(opts.gates, '--gates', 100_000);
        for (const pool of pools) process.stdout.write(`${await realPoolSection(pool, gates)}\n`);
        return;
      }
      const text = await runAccuracyBench({
        poolSize: positive(opts.pool, '--pool', LIMITS.runs), gates: positive(opts.gates, '--gates', 100_000), sizes: [10, 15, 20], workloads: ['timer', 'cpu'],
        pools: poolFiles(opts.pools),
        out: String(opts.out), log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(`${text}\n`);
    });

  program
    .command('bench-harness')
    .description('boot the multiboot fixture N times and report the CV and the harness overhead')
    .option('--runs <n>', 'counted boots', '20')
    .action(async (opts: CommonOptions) => {
      process.stdout.write(`${await runHarnessBench({ runs: positive(opts.runs, '--runs', LIMITS.runs) })}\n`);
    });

  for (const command of program.commands) {
    if (command.name() === 'measure' || command.name() === 'demo') addExportOptions(command, true);
    if (command.name() === 'gate' || command.name() === 'compare') addExportOptions(command, false);
  }
  return program;
}

function number(value: unknown, flag: string, lo: number, hi: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= lo || n > hi) throw new ConfigError(`command line ${flag}: expected a number in (${lo}, ${hi}], got "${String(value)}"`);
  return n;
}

/** Gate thresholds from the flags, with per-subject thresholds from the config. */
function gateOptions(opts: CommonOptions, subjects: Subject[]): GateOptions {
  const threshold = parseThreshold(opts.threshold ?? `${DEFAULT_GATE_OPTIONS.thresholdPct}%`, 'command line --threshold', (m) => new ConfigError(m));
  const moduleThreshold = opts.moduleThreshold === undefined ? null : parseModuleThresholdOrNull(opts.moduleThreshold);
  if (opts.moduleThreshold !== undefined && moduleThreshold === null) {
    throw new ConfigError(`command line --module-threshold: expected a time like "10ms", greater than 0, got "${String(opts.moduleThreshold)}"`);
  }
  const perSubject = perSubjectOptions(subjects);
  return {
    alpha: number(opts.alpha ?? DEFAULT_GATE_OPTIONS.alpha, '--alpha', 0, 0.5),
    thresholdPct: threshold.thresholdPct ?? DEFAULT_GATE_OPTIONS.thresholdPct,
    thresholdMs: threshold.thresholdMs,
    ...(moduleThreshold !== null ? { moduleThresholdMs: moduleThreshold } : {}),
    instructionsThresholdPct: number(opts.instructionsThreshold ?? DEFAULT_GATE_OPTIONS.instructionsThresholdPct, '--instructions-threshold', 0, 100),
    perSubject,
  };
}

/** 1 on a regression (or inconclusive when asked); an inconclusive verdict otherwise warns. */
function verdictExit(c: Comparison, failOnInconclusive: boolean): number {
  if (c.state === 'regression') return EXIT.regression;
  if (c.state === 'inconclusive') {
    process.stderr.write('bootgate: warning: the verdict is inconclusive: the data cannot decide (see the report for how many more boots would)\n');
    if (failOnInconclusive) return EXIT.regression;
  }
  return EXIT.ok;
}

/**
 * gate and compare: subjects that could not be built decide first. Built on neither side with a settings
 * problem (e.g. the kernel path names no file the build makes) is bad input (2); for another reason
 * an error (4), unless another subject regressed (1): the gate could not do its job for them. Head
 * not built where base was is a regression (1); base not built where head was is not. The other
 * subjects decide as in compare.
 */
function gateExit(c: Comparison, failOnInconclusive: boolean): number {
  const neither = c.subjects.filter((s) => s.base.notBuilt && s.head.notBuilt);
  if (neither.length > 0) {
    const what = neither.map((s) => `${s.name} (${s.head.notBuilt!.stage}: ${s.head.notBuilt!.reason})`).join('; ');
    process.stderr.write(`bootgate: not built on base nor on head, so not gated: ${what}\n`);
    if (neither.some((s) => s.base.notBuilt!.stage === 'config' && s.head.notBuilt!.stage === 'config')) return EXIT.usage;
    // a regression of another subject is still this PR's verdict
    return c.state === 'regression' ? EXIT.regression : EXIT.error;
  }
  return verdictExit(c, failOnInconclusive);
}

/** measure and demo: boot, print the table, write the JSON (partial on SIGINT/SIGTERM). */
async function measureCommand(
  load: (log: (line: string) => void) => Promise<Subject[]>,
  opts: CommonOptions,
  overrides: { runsOverride?: number; warmupOverride?: number },
): Promise<number> {
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  const progress = reporter(opts.quiet);
  try {
    const { log, onBoot } = progress;
    const subjects = await load(log);
    const { doc, interrupted } = await runMeasure(subjects, { jsonFile: opts.json, outDir: opts.out ?? 'bootgate-out', signal: controller.signal, log, onBoot, ...overrides });
    progress.done();
    process.stdout.write(`${resultsTable(doc.subjects)}\n`);
    if (opts.json) process.stderr.write(`results: ${opts.json}${interrupted ? ' (partial)' : ''}\n`);
    await exportAndSay(opts, doc.subjects);
    if (interrupted) return EXIT.interrupted;
    const notBuilt = doc.subjects.filter((s) => s.notBuilt);
    if (notBuilt.length > 0) {
      process.stderr.write(`bootgate: not built, so not measured: ${notBuilt.map((s) => s.name).join(', ')}\n`);
      return notBuilt.some((s) => s.notBuilt!.stage === 'config') ? EXIT.usage : EXIT.error;
    }
    return doc.subjects.some((s) => s.summary.failed > 0) ? EXIT.bootsFailed : EXIT.ok;
  } finally {
    progress.done();
    release();
  }
}

/** `--pools a.json,b.json,label …`: each names a base and a head results file and how they were taken. */
function poolFiles(value: unknown): PoolFiles[] {
  if (value === undefined) return [];
  return (value as string[]).map((entry) => {
    const [base, head, ...label] = entry.split(',');
    if (!base || !head || label.join(',').trim() === '') throw new ConfigError(`command line --pools: expected "<base.json>,<head.json>,<label>", got "${entry}"`);
    return { base, head, label: label.join(',').trim() };
  });
}

function positive(value: unknown, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`command line ${flag}: expected a whole number from 1 to ${max}, got "${String(value)}"`);
  return n;
}
function nonNegative(value: unknown, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new ConfigError(`command line ${flag}: expected a whole number from 0 to ${max}, got "${String(value)}"`);
  return n;
}

export async function runCli(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // Messages may quote a build log or a guest's output: no escape sequences reach the terminal.
    if (isInputError(error)) {
      process.stderr.write(`bootgate: ${stripControl((error as Error).message)}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`bootgate: ${stripControl((error as Error).message ?? String(error))}\n`);
    if (process.env.BOOTGATE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.error;
  }
}

