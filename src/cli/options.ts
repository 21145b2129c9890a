import type { PoolFiles } from '../engine/bench-accuracy.js';
// Each command's flags parsed once into a typed object: commander hands over untyped values, and
// nothing past this file reads them. Bad values are ConfigErrors naming the flag (exit 2).
import type { OptionValues } from 'commander';
import { ConfigError } from '../config/errors.js';
import { LIMITS, type SubjectSettings } from '../config/schema.js';
import { parseModuleThresholdOrNull, parseThreshold, type Threshold } from '../config/threshold.js';
import type { FixtureCommandOptions } from '../engine/fixture.js';
import type { ExportTargets } from '../report/exports.js';
import { DEFAULT_GATE_OPTIONS } from '../compare/index.js';
import { subjectFlags } from './flags.js';

/** Which subjects: a config file (and some of its subjects), or one subject described by flags. */
export interface SubjectSelection {
  configFile?: string;
  only?: string[];
  /** name of the subject given by flags */
  name?: string;
  /** subject settings from the flags, checked against the schema */
  flags: SubjectSettings;
}

export interface OutputOptions {
  /** the results document (serial logs beside it) */
  json?: string;
  /** folder for logs, reports and results when --json is not given */
  outDir: string;
  quiet: boolean;
  exports: ExportTargets;
}

/** The global gate settings from the flags; per-subject ones come from the config. */
export interface GateFlags {
  alpha: number;
  threshold: Threshold;
  moduleThresholdMs: number | null;
  instructionsThresholdPct: number;
}

export interface MeasureCliOptions {
  subjects: SubjectSelection;
  output: OutputOptions;
}

export interface DemoCliOptions {
  output: OutputOptions;
  runs: number;
  warmup: number;
}

export interface GateCliOptions {
  subjects: SubjectSelection;
  output: OutputOptions;
  repo?: string;
  base?: string;
  head?: string;
  gate: GateFlags;
  failOnInconclusive: boolean;
}

export interface CompareCliOptions {
  baseFile: string;
  headFile: string;
  markdown?: string;
  exports: ExportTargets;
  gate: GateFlags;
  failOnInconclusive: boolean;
}

export type FixtureCliOptions = FixtureCommandOptions;

export interface BenchAccuracyCliOptions {
  /** no booting: replay the boots of these two results files */
  replay?: { base: string; head: string };
  pool: number;
  gates: number;
  out: string;
  /** pools of real boots taken before (results files), read instead of booting */
  pools: PoolFiles[];
  /** false: no fixture boots, only the rows of `pools`, printed */
  fixture: boolean;
}

/** A string option: commander gives a string, or nothing when the flag is absent and has no default. */
function text(raw: OptionValues, key: string): string | undefined {
  const value: unknown = raw[key];
  if (value === undefined || typeof value === 'string') return value;
  throw new TypeError(`option ${key}: expected a string from commander, got ${typeof value}`);
}

/** A string option with a default or marked required in commander. */
function givenText(raw: OptionValues, key: string): string {
  const value = text(raw, key);
  if (value === undefined) throw new TypeError(`option ${key}: missing (it has a default or is required)`);
  return value;
}

function switchOn(raw: OptionValues, key: string): boolean {
  return raw[key] === true;
}

function texts(raw: OptionValues, key: string): string[] | undefined {
  const value: unknown = raw[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new TypeError(`option ${key}: expected a list of strings from commander`);
}

export function number(value: unknown, flag: string, lo: number, hi: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= lo || n > hi)
    throw new ConfigError(`command line ${flag}: expected a number in (${lo}, ${hi}], got "${String(value)}"`);
  return n;
}

export function positive(value: unknown, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ConfigError(`command line ${flag}: expected a whole number from 1 to ${max}, got "${String(value)}"`);
  return n;
}

export function nonNegative(value: unknown, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new ConfigError(`command line ${flag}: expected a whole number from 0 to ${max}, got "${String(value)}"`);
  return n;
}

export function subjectSelection(raw: OptionValues): SubjectSelection {
  return {
    configFile: text(raw, 'config'),
    only: texts(raw, 'subject'),
    name: text(raw, 'name'),
    flags: subjectFlags(raw),
  };
}

function exportTargets(raw: OptionValues): ExportTargets {
  return {
    bmf: text(raw, 'exportBmf'),
    benchmarkAction: text(raw, 'exportBenchmarkAction'),
    csv: text(raw, 'exportCsv'),
    markdown: text(raw, 'exportMarkdown'),
  };
}

function outputOptions(raw: OptionValues): OutputOptions {
  return {
    json: text(raw, 'json'),
    outDir: text(raw, 'out') ?? 'bootgate-out',
    quiet: switchOn(raw, 'quiet'),
    exports: exportTargets(raw),
  };
}

/** --threshold, --module-threshold, --instructions-threshold, --alpha. */
export function gateFlags(raw: OptionValues): GateFlags {
  const threshold = parseThreshold(
    text(raw, 'threshold') ?? `${DEFAULT_GATE_OPTIONS.thresholdPct}%`,
    'command line --threshold',
    (m) => new ConfigError(m),
  );
  const moduleText = text(raw, 'moduleThreshold');
  const moduleThresholdMs = moduleText === undefined ? null : parseModuleThresholdOrNull(moduleText);
  if (moduleText !== undefined && moduleThresholdMs === null) {
    throw new ConfigError(
      `command line --module-threshold: expected a time like "10ms", greater than 0, got "${moduleText}"`,
    );
  }
  return {
    alpha: number(text(raw, 'alpha') ?? DEFAULT_GATE_OPTIONS.alpha, '--alpha', 0, 0.5),
    threshold,
    moduleThresholdMs,
    instructionsThresholdPct: number(
      text(raw, 'instructionsThreshold') ?? DEFAULT_GATE_OPTIONS.instructionsThresholdPct,
      '--instructions-threshold',
      0,
      100,
    ),
  };
}

export function measureCliOptions(raw: OptionValues): MeasureCliOptions {
  return { subjects: subjectSelection(raw), output: outputOptions(raw) };
}

export function demoCliOptions(raw: OptionValues): DemoCliOptions {
  return {
    output: outputOptions(raw),
    runs: positive(text(raw, 'runs'), '--runs', LIMITS.runs),
    warmup: nonNegative(text(raw, 'warmup'), '--warmup', LIMITS.warmup),
  };
}

export function gateCliOptions(raw: OptionValues): GateCliOptions {
  return {
    subjects: subjectSelection(raw),
    output: outputOptions(raw),
    repo: text(raw, 'repo'),
    base: text(raw, 'base'),
    head: text(raw, 'head'),
    gate: gateFlags(raw),
    failOnInconclusive: switchOn(raw, 'failOnInconclusive'),
  };
}

export function compareCliOptions(raw: OptionValues): CompareCliOptions {
  return {
    baseFile: givenText(raw, 'base'),
    headFile: givenText(raw, 'head'),
    markdown: text(raw, 'markdown'),
    exports: exportTargets(raw),
    gate: gateFlags(raw),
    failOnInconclusive: switchOn(raw, 'failOnInconclusive'),
  };
}

export function fixtureCliOptions(raw: OptionValues): FixtureCliOptions {
  const workPercent = text(raw, 'workPercent');
  const extraIterations = text(raw, 'extraIterations');
  return {
    out: givenText(raw, 'out'),
    params: text(raw, 'params'),
    arch: text(raw, 'arch'),
    startLine: text(raw, 'startLine'),
    readyText: text(raw, 'readyText'),
    workPercent: workPercent === undefined ? undefined : number(workPercent, '--work-percent', 0, 10_000),
    extraIterations:
      extraIterations === undefined
        ? undefined
        : nonNegative(extraIterations, '--extra-iterations', Number.MAX_SAFE_INTEGER),
  };
}

export function benchAccuracyCliOptions(raw: OptionValues): BenchAccuracyCliOptions {
  const replayText = text(raw, 'replay');
  let replay: BenchAccuracyCliOptions['replay'];
  if (replayText !== undefined) {
    const [base, head, extra] = replayText.split(',');
    if (!base || !head || extra !== undefined)
      throw new ConfigError(`command line --replay: expected "<base.json>,<head.json>", got "${replayText}"`);
    replay = { base, head };
  }
  const pools = poolFiles(raw['pools']);
  const fixture = raw['fixture'] !== false;
  if (!fixture && pools.length === 0)
    throw new ConfigError('command line --no-fixture: give --pools, or there is nothing to measure');
  return {
    replay,
    // --pool is not used by a replay: checked only when booting
    pool: replay || !fixture ? 0 : positive(text(raw, 'pool'), '--pool', LIMITS.runs),
    gates: positive(text(raw, 'gates'), '--gates', 100_000),
    out: givenText(raw, 'out'),
    pools,
    fixture,
  };
}

/** `--pools a.json,b.json,label …`: each names a base and a head results file and how they were taken. */
function poolFiles(value: unknown): PoolFiles[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`option pools: expected a list from commander, got ${typeof value}`);
  return value.map((entry: string) => {
    const [base, head, ...label] = entry.split(',');
    if (!base || !head || label.join(',').trim() === '')
      throw new ConfigError(`command line --pools: expected "<base.json>,<head.json>,<label>", got "${entry}"`);
    return { base, head, label: label.join(',').trim() };
  });
}
