import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { subjectFlags, subjectOptions } from '../config/flags.js';
import { loadConfigFile } from '../config/load.js';
import { resolveSubjects, type Subject } from '../config/subjects.js';
import { abortOnSignals } from '../boot/children.js';
import { progressLine, resultsTable } from '../report/terminal.js';
import { runMeasure } from './measure.js';
import { demoSubjects } from './demo.js';
import { runHarnessBench } from './bench-harness.js';
import { runGate } from './gate.js';
import { runAccuracyBench } from './bench-accuracy.js';
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

function reporter(quiet: boolean | undefined): { log: (line: string) => void; onBoot: Parameters<typeof runMeasure>[1]['onBoot'] } {
  return {
    log: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
    onBoot: (progress) => {
      if (!quiet || !progress.record.ok) process.stderr.write(`${progressLine(progress)}\n`);
    },
  };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('bootgate')
    .description('Boot unikernels under QEMU (TCG), time kernel start → httpd serving, and gate pull requests on it.')
    .showHelpAfterError()
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
      const overrides = { runsOverride: positive(opts.runs, '--runs'), warmupOverride: nonNegative(opts.warmup, '--warmup') };
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
    try {
      const { log, onBoot } = reporter(opts.quiet);
      const outcome = await runGate({
        subjects, repo: opts.repo as string | undefined, base: opts.base as string | undefined, head: opts.head as string | undefined,
        outDir: opts.out ?? 'bootgate-out', gate: gateOptions(opts, subjects), log, onBoot, signal: controller.signal,
        configName: opts.config ? String(opts.config) : undefined,
      });
      process.stdout.write(`${comparisonSummary(outcome.comparison)}\n`);
      process.stderr.write(`wrote ${outcome.files.base}, ${outcome.files.head}, ${outcome.files.report}\n`);
      setExit(outcome.interrupted ? EXIT.interrupted : verdictExit(outcome.comparison, !!opts.failOnInconclusive));
    } finally {
      release();
    }
  });

  program
    .command('compare')
    .description('the gate\'s verdict from two results files; writes the PR comment Markdown')
    .requiredOption('--base <file>', 'results JSON of the base')
    .requiredOption('--head <file>', 'results JSON of the head')
    .option('--markdown <file>', 'write the report Markdown here')
    .option('--threshold <pct>', 'regression threshold, percent', String(DEFAULT_GATE_OPTIONS.thresholdPct))
    .option('--instructions-threshold <pct>', 'regression threshold for instruction counts, percent', String(DEFAULT_GATE_OPTIONS.instructionsThresholdPct))
    .option('--alpha <p>', 'significance level', String(DEFAULT_GATE_OPTIONS.alpha))
    .option('--fail-on-inconclusive', 'exit 1 when the data cannot decide')
    .action(async (opts: CommonOptions) => {
      const { comparison, markdown } = await runCompare({ baseFile: String(opts.base), headFile: String(opts.head), gate: gateOptions(opts, []) });
      if (opts.markdown) await (await import('node:fs/promises')).writeFile(String(opts.markdown), markdown);
      process.stdout.write(`${comparisonSummary(comparison)}\n`);
      setExit(verdictExit(comparison, !!opts.failOnInconclusive));
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
        extraIterations: opts.extraIterations === undefined ? undefined : nonNegative(opts.extraIterations, '--extra-iterations'),
      });
      process.stdout.write(`${file}\n`);
    });

  program
    .command('bench-accuracy')
    .description('measure the gate\'s false-alarm and detection rates on this machine (writes docs/accuracy.md)')
    .option('--pool <n>', 'boots per slowed variant (the baseline pool is twice this)', '60')
    .option('--gates <n>', 'gates replayed per size', '100')
    .option('--out <file>', 'write the Markdown table here', 'docs/accuracy.md')
    .action(async (opts: CommonOptions) => {
      const text = await runAccuracyBench({
        poolSize: positive(opts.pool, '--pool'), gates: positive(opts.gates, '--gates'), sizes: [10, 15, 20], workloads: ['timer', 'cpu'],
        out: String(opts.out), log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(`${text}\n`);
    });

  program
    .command('bench-harness')
    .description('boot the multiboot fixture N times and report the CV and the harness overhead')
    .option('--runs <n>', 'counted boots', '20')
    .action(async (opts: CommonOptions) => {
      process.stdout.write(`${await runHarnessBench({ runs: positive(opts.runs, '--runs') })}\n`);
    });

  return program;
}

function number(value: unknown, flag: string, lo: number, hi: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= lo || n > hi) throw new ConfigError(`command line ${flag}: expected a number in (${lo}, ${hi}], got "${String(value)}"`);
  return n;
}

/** Gate thresholds from the flags, with per-subject thresholds from the config. */
function gateOptions(opts: CommonOptions, subjects: Subject[]): GateOptions {
  const perSubject: GateOptions['perSubject'] = {};
  for (const s of subjects) {
    const own = { thresholdPct: s.settings.threshold, instructionsThresholdPct: s.settings['instructions-threshold'] };
    perSubject[s.name] = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined));
  }
  return {
    alpha: number(opts.alpha ?? DEFAULT_GATE_OPTIONS.alpha, '--alpha', 0, 0.5),
    thresholdPct: number(opts.threshold ?? DEFAULT_GATE_OPTIONS.thresholdPct, '--threshold', 0, 100),
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

/** measure and demo: boot, print the table, write the JSON (partial on SIGINT/SIGTERM). */
async function measureCommand(
  load: (log: (line: string) => void) => Promise<Subject[]>,
  opts: CommonOptions,
  overrides: { runsOverride?: number; warmupOverride?: number },
): Promise<number> {
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  try {
    const { log, onBoot } = reporter(opts.quiet);
    const subjects = await load(log);
    const { doc, interrupted } = await runMeasure(subjects, { jsonFile: opts.json, outDir: opts.out ?? 'bootgate-out', signal: controller.signal, log, onBoot, ...overrides });
    process.stdout.write(`${resultsTable(doc.subjects)}\n`);
    if (opts.json) process.stderr.write(`results: ${opts.json}${interrupted ? ' (partial)' : ''}\n`);
    if (interrupted) return EXIT.interrupted;
    return doc.subjects.some((s) => s.summary.failed > 0) ? EXIT.bootsFailed : EXIT.ok;
  } finally {
    release();
  }
}

function positive(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`command line ${flag}: expected a whole number ≥ 1, got "${String(value)}"`);
  return n;
}
function nonNegative(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`command line ${flag}: expected a whole number ≥ 0, got "${String(value)}"`);
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
    if (error instanceof ConfigError) {
      process.stderr.write(`bootgate: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`bootgate: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.BOOTGATE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.error;
  }
}

