// The commands and their flags (commander); each action parses its flags once (options.ts) and
// hands typed options to the engine.
import { writeFile } from 'node:fs/promises';
import { gateOptions } from '../engine/gate-options.js';
import { Command, CommanderError, type OptionValues } from 'commander';
import { isInputError } from '../config/errors.js';
import { stripControl } from '../report/escape.js';
import { EXIT, gateExit } from './exit.js';
import { subjectOptions } from './flags.js';
import {
  benchAccuracyCliOptions,
  compareCliOptions,
  demoCliOptions,
  fixtureCliOptions,
  gateCliOptions,
  measureCliOptions,
  positive,
  subjectSelection,
  type OutputOptions,
  type SubjectSelection,
} from './options.js';
import { loadConfigFile } from '../config/load.js';
import { LIMITS } from '../config/schema.js';
import { resolveSubjects, type Subject } from '../config/subjects.js';
import { abortOnSignals } from '../boot/children.js';
import { resultsTable } from '../report/terminal.js';
import { colourEnabled, colours, createReporter, type Reporter } from '../report/progress.js';
import { writeExports, type ExportTargets } from '../report/exports.js';
import { runView } from '../engine/view.js';
import type { SubjectResult } from '../measure/results.js';
import { VERSION } from '../config/version.js';
import { runMeasure } from '../engine/measure.js';
import { demoSubjects } from '../engine/demo.js';
import { runHarnessBench } from '../engine/bench-harness.js';
import { runGate } from '../engine/gate.js';
import { realPoolSection, replayAdaptive, runAccuracyBench } from '../engine/bench-accuracy.js';
import { buildFixtureCommand } from '../engine/fixture.js';
import { packagesFor } from '../engine/packages.js';
import { runCompare } from '../engine/compare.js';
import { comparisonSummary } from '../report/terminal.js';
import { DEFAULT_GATE_OPTIONS, type Comparison } from '../compare/index.js';

function addSubjectOptions(command: Command): Command {
  command
    .option('-c, --config <file>', 'bootgate.yml listing the subjects')
    .option('-s, --subject <name...>', 'only these subjects of the config')
    .option('--name <name>', 'name of the subject given by flags (no config file)');
  for (const option of subjectOptions()) command.addOption(option);
  return command;
}

async function subjectsFrom(selection: SubjectSelection): Promise<Subject[]> {
  const file = selection.configFile ? await loadConfigFile(selection.configFile) : undefined;
  return resolveSubjects({ file, flags: selection.flags, only: selection.only, name: selection.name });
}

/** Progress on stderr: a status line with a bar on a terminal, plain lines otherwise. */
function reporter(quiet: boolean): Reporter {
  return createReporter({ quiet });
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

async function exportAndSay(
  targets: ExportTargets,
  subjects: readonly SubjectResult[],
  comparison?: Comparison,
): Promise<void> {
  for (const file of await writeExports(targets, subjects, comparison)) process.stderr.write(`exported: ${file}\n`);
}

/** The verdict line in colour on a terminal (red regression, green improvement), honouring NO_COLOR. */
function paintVerdict(summary: string, state: Comparison['state']): string {
  const paint = colours(colourEnabled(process.stdout));
  const colour =
    state === 'regression'
      ? paint.red
      : state === 'improvement'
        ? paint.green
        : state === 'inconclusive'
          ? paint.yellow
          : paint.bold;
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
  ).action(async (raw: OptionValues) => {
    const options = measureCliOptions(raw);
    const subjects = await subjectsFrom(options.subjects);
    setExit(await measureCommand(() => Promise.resolve(subjects), options.output, {}));
  });

  program
    .command('demo')
    .description('build the bundled fixture guests (a multiboot kernel and a Linux+busybox httpd) and measure them')
    .option('--json <file>', 'write the results document here')
    .option('--out <dir>', 'folder for logs when --json is not given', 'bootgate-out')
    .option('--runs <n>', 'counted boots per guest', '10')
    .option('--warmup <n>', 'warm-up boots per guest', '1')
    .option('-q, --quiet', 'only failures and the final table')
    .action(async (raw: OptionValues) => {
      const options = demoCliOptions(raw);
      setExit(
        await measureCommand(demoSubjects, options.output, {
          runsOverride: options.runs,
          warmupOverride: options.warmup,
        }),
      );
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
  ).action(async (raw: OptionValues) => {
    const options = gateCliOptions(raw);
    const subjects = await subjectsFrom(options.subjects);
    const controller = new AbortController();
    const release = abortOnSignals(controller);
    const progress = reporter(options.output.quiet);
    try {
      const { log, onBoot } = progress;
      const outcome = await runGate({
        subjects,
        repo: options.repo,
        base: options.base,
        head: options.head,
        outDir: options.output.outDir,
        gate: gateOptions(options.gate, subjects),
        log,
        onBoot,
        signal: controller.signal,
        configName: options.subjects.configFile || undefined,
      });
      progress.done();
      process.stdout.write(`${paintVerdict(comparisonSummary(outcome.comparison), outcome.comparison.state)}\n`);
      process.stderr.write(`wrote ${outcome.files.base}, ${outcome.files.head}, ${outcome.files.report}\n`);
      await exportAndSay(options.output.exports, outcome.head.subjects, outcome.comparison);
      setExit(outcome.interrupted ? EXIT.interrupted : gateExit(outcome.comparison, options.failOnInconclusive));
    } finally {
      progress.done();
      release();
    }
  });

  program
    .command('compare')
    .description("the gate's verdict from two results files; writes the PR comment Markdown")
    .requiredOption('--base <file>', 'results JSON of the base')
    .requiredOption('--head <file>', 'results JSON of the head')
    .option('--markdown <file>', 'write the report Markdown here')
    .option(
      '--threshold <value>',
      'regression threshold: "3%" of the base median or "40ms"',
      `${DEFAULT_GATE_OPTIONS.thresholdPct}%`,
    )
    .option('--module-threshold <ms>', 'a module this much slower (e.g. "10ms") is a regression line of its own')
    .option(
      '--instructions-threshold <pct>',
      'regression threshold for instruction counts, percent',
      String(DEFAULT_GATE_OPTIONS.instructionsThresholdPct),
    )
    .option('--alpha <p>', 'significance level', String(DEFAULT_GATE_OPTIONS.alpha))
    .option('--fail-on-inconclusive', 'exit 1 when the data cannot decide')
    .action(async (raw: OptionValues) => {
      const options = compareCliOptions(raw);
      const { comparison, markdown, head } = await runCompare({
        baseFile: options.baseFile,
        headFile: options.headFile,
        gate: gateOptions(options.gate, []),
      });
      if (options.markdown) await writeFile(options.markdown, markdown);
      process.stdout.write(`${paintVerdict(comparisonSummary(comparison), comparison.state)}\n`);
      await exportAndSay(options.exports, head.subjects, comparison);
      setExit(gateExit(comparison, options.failOnInconclusive));
    });

  program
    .command('view')
    .description(
      "write a dashboard page (one HTML file, no server) for results files: a measure run, or a gate's base.json and head.json",
    )
    .argument('<files...>', "results JSON files (measure --json, or gate's base.json head.json)")
    .option('--out <page>', 'where to write the page', 'bootgate-view.html')
    .action(async (files: string[], raw: OptionValues) => {
      process.stdout.write(`${await runView({ files, out: String(raw.out) })}\n`);
    });

  addSubjectOptions(
    program
      .command('packages')
      .description(
        'print the Debian packages the subjects need to build and boot (QEMU, cross compilers), one per line',
      ),
  ).action(async (raw: OptionValues) => {
    process.stdout.write((await packagesFor(await subjectsFrom(subjectSelection(raw)))).map((p) => `${p}\n`).join(''));
  });

  program
    .command('fixture')
    .description(
      'build the multiboot fixture kernel (the guest the tests, the demo and the self-test use) and copy it to --out',
    )
    .requiredOption('--out <file>', 'where to put kernel.elf')
    .option('--params <file>', 'JSON file of fixture options (workPercent, slowModule, extraIterations, modules, …)')
    .option('--work-percent <n>', 'every module does this percent of the baseline work')
    .option('--extra-iterations <n>', 'extra busy-loop iterations (2 instructions each) in the first module')
    .option(
      '--arch <machine>',
      'build the non-x86 fixture for this machine instead: arm (integratorcp), aarch64 (virt), riscv64, riscv32 (virt)',
    )
    .option('--start-line <text>', 'with --arch: the first line the fixture prints')
    .option(
      '--ready-text <text>',
      "with --arch: the text it prints last (use $'…\\n' for a line; without a newline it is a prompt)",
    )
    .action(async (raw: OptionValues) => {
      process.stdout.write(`${await buildFixtureCommand(fixtureCliOptions(raw))}\n`);
    });

  program
    .command('bench-accuracy')
    .description("measure the gate's false-alarm and detection rates on this machine (writes docs/accuracy.md)")
    .option('--pool <n>', 'boots per slowed variant (the baseline pool is twice this)', '60')
    .option('--gates <n>', 'gates replayed per size', '100')
    .option('--out <file>', 'write the Markdown table here', 'docs/accuracy.md')
    .option(
      '--replay <files>',
      'no booting: adaptive-gate rows from the boots in <base.json>,<head.json> (e.g. a gate on real Embox), printed',
    )
    .option(
      '--pools <files...>',
      'also rows from pools of real boots taken before: <base.json>,<head.json>,<label> each (e.g. bench/pools)',
    )
    .option('--no-fixture', 'with --pools: no fixture boots; only the rows of the pools, printed (nothing written)')
    .action(async (raw: OptionValues) => {
      const options = benchAccuracyCliOptions(raw);
      if (options.replay) {
        process.stdout.write(`${await replayAdaptive({ ...options.replay, gates: options.gates })}\n`);
        return;
      }
      if (!options.fixture) {
        for (const pool of options.pools) process.stdout.write(`${await realPoolSection(pool, options.gates)}\n`);
        return;
      }
      const text = await runAccuracyBench({
        poolSize: options.pool,
        gates: options.gates,
        sizes: [10, 15, 20],
        workloads: ['timer', 'cpu'],
        pools: options.pools,
        out: options.out,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(`${text}\n`);
    });

  program
    .command('bench-harness')
    .description('boot the multiboot fixture N times and report the CV and the harness overhead')
    .option('--runs <n>', 'counted boots', '20')
    .action(async (raw: OptionValues) => {
      process.stdout.write(`${await runHarnessBench({ runs: positive(raw.runs, '--runs', LIMITS.runs) })}\n`);
    });

  for (const command of program.commands) {
    if (command.name() === 'measure' || command.name() === 'demo') addExportOptions(command, true);
    if (command.name() === 'gate' || command.name() === 'compare') addExportOptions(command, false);
  }
  return program;
}

/** measure and demo: boot, print the table, write the JSON (partial on SIGINT/SIGTERM). */
async function measureCommand(
  load: (log: (line: string) => void) => Promise<Subject[]>,
  output: OutputOptions,
  overrides: { runsOverride?: number; warmupOverride?: number },
): Promise<number> {
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  const progress = reporter(output.quiet);
  try {
    const { log, onBoot } = progress;
    const subjects = await load(log);
    const { doc, interrupted } = await runMeasure(subjects, {
      jsonFile: output.json,
      outDir: output.outDir,
      signal: controller.signal,
      log,
      onBoot,
      ...overrides,
    });
    progress.done();
    process.stdout.write(`${resultsTable(doc.subjects)}\n`);
    if (output.json) process.stderr.write(`results: ${output.json}${interrupted ? ' (partial)' : ''}\n`);
    await exportAndSay(output.exports, doc.subjects);
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
