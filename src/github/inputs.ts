// The action's inputs (action.yml), read and validated in one place. Every problem names the input,
// what was expected and what was given; all problems are reported together.
import { LIMITS } from '../config/schema.js';
import { parseThresholdOrNull, type Threshold } from '../config/threshold.js';
import { DEFAULT_GATE_OPTIONS } from '../compare/index.js';

export const MODES = ['pr', 'nightly', 'report', 'merge'] as const;
export type Mode = (typeof MODES)[number];

export const COMMENT_POLICIES = ['always', 'on-change', 'never'] as const;
export type CommentPolicy = (typeof COMMENT_POLICIES)[number];

/** `subjects:` — the templates a PR touches (plus `always` ones), every subject, or these names. */
export type SubjectFilter = { kind: 'changed' } | { kind: 'all' } | { kind: 'names'; names: string[] };

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export interface ActionInputs {
  config: string;
  subjects: SubjectFilter;
  runs: number | undefined;
  warmup: number | undefined;
  threshold: Threshold;
  /** adaptive gate: most counted boots per side; undefined = the default */
  maxRuns: number | undefined;
  /** a PR carrying this label passes the check whatever the verdict */
  acceptLabel: string;
  alpha: number;
  mode: Mode;
  token: string;
  comment: CommentPolicy;
  failOnRegression: boolean;
  failOnInconclusive: boolean;
  cache: boolean;
  /** '' when the input is "none": the nightly measures and reports but keeps no history */
  historyBranch: string;
  downloadDir: string | undefined;
  shard: Shard | undefined;
  /** nightly: open/update one issue on a sustained regression (input `regression-issue`) */
  regressionIssue: boolean;
}

export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The same spellings @actions/core's getBooleanInput accepts (YAML 1.2 core schema). */
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

const SUBJECT_NAME = /^[A-Za-z0-9][\w.-]*$/;
/** What `git check-ref-format --branch` refuses, reduced to the cases a user might type. */
const BAD_BRANCH = /(^[-/.])|([/.]$)|(\.\.)|(@\{)|(\/\/)|([\s~^:?*[\\\x00-\x1f\x7f])|(\.lock$)|(^@$)/;

/**
 * Parses every input. `read(name)` returns the raw value ('' when not set), as core.getInput does;
 * defaults here match action.yml so that a run without the runner's defaults behaves the same.
 */
export function parseInputs(read: (name: string) => string): ActionInputs {
  const problems: string[] = [];
  const raw = (name: string, fallback: string): string => {
    const value = read(name).trim();
    return value === '' ? fallback : value;
  };
  const bad = (name: string, expected: string, got: string): void => {
    problems.push(`input "${name}": expected ${expected}; got ${JSON.stringify(got)}`);
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = raw(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    bad(name, `one of ${allowed.join(', ')}`, value);
    return fallback;
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const value = raw(name, String(fallback));
    if (TRUE_WORDS.includes(value)) return true;
    if (FALSE_WORDS.includes(value)) return false;
    bad(name, 'true or false', value);
    return fallback;
  };

  const count = (name: string, min: number, max: number): number | undefined => {
    const value = raw(name, '');
    if (value === '') return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      bad(name, `a whole number from ${min} to ${max} (or empty for the config's value)`, value);
      return undefined;
    }
    return Number(value);
  };

  const number = (name: string, fallback: number, lo: number, hi: number, what: string): number => {
    const value = raw(name, String(fallback));
    const n = Number(value);
    if (!/^[0-9.eE+-]+$/.test(value) || !Number.isFinite(n) || n <= lo || n > hi) {
      bad(name, what, value);
      return fallback;
    }
    return n;
  };

  const config = raw('config', 'bootgate.yml');

  let subjects: SubjectFilter = { kind: 'changed' };
  const subjectsRaw = raw('subjects', 'changed');
  if (subjectsRaw === 'changed' || subjectsRaw === 'all') {
    subjects = { kind: subjectsRaw };
  } else {
    const names = subjectsRaw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const wrong = names.filter((n) => !SUBJECT_NAME.test(n));
    if (names.length === 0 || wrong.length > 0) {
      bad('subjects', '"changed", "all", or a comma-separated list of subject names', subjectsRaw);
    } else {
      subjects = { kind: 'names', names };
    }
  }

  const runs = count('runs', 1, LIMITS.runs);
  const warmup = count('warmup', 0, LIMITS.warmup);
  const maxRuns = count('max-runs', 1, LIMITS.runs);
  const thresholdRaw = raw('threshold', '');
  const threshold: Threshold =
    thresholdRaw === ''
      ? { thresholdPct: DEFAULT_GATE_OPTIONS.thresholdPct }
      : (parseThresholdOrNull(thresholdRaw) ?? { thresholdPct: DEFAULT_GATE_OPTIONS.thresholdPct });
  if (thresholdRaw !== '' && parseThresholdOrNull(thresholdRaw) === null)
    bad(
      'threshold',
      '"5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms',
      thresholdRaw,
    );
  const acceptLabel = raw('accept-label', 'boot-time-accepted').trim();
  const alpha = number('alpha', 0.01, 0, 0.5, 'a significance level greater than 0 and at most 0.5');
  const mode = oneOf('mode', MODES, 'pr');
  const token = read('github-token').trim();
  const comment = oneOf('comment', COMMENT_POLICIES, 'always');
  const failOnRegression = bool('fail-on-regression', true);
  const failOnInconclusive = bool('fail-on-inconclusive', false);
  const cache = bool('cache', true);
  const regressionIssue = bool('regression-issue', true);

  // The runner passes '' for `history-branch: ''`, the same as unset: "none" is how to turn it off.
  const historyBranch = raw('history-branch', 'bootgate-data');
  if (historyBranch !== '' && historyBranch !== 'none' && BAD_BRANCH.test(historyBranch)) {
    bad('history-branch', 'a valid git branch name (or "none" to keep no history)', historyBranch);
  }

  const downloadDir = raw('download-dir', '') || undefined;

  let shard: Shard | undefined;
  const shardRaw = raw('shard', '');
  if (shardRaw !== '') {
    const m = /^(\d+)\s*\/\s*(\d+)$/.exec(shardRaw);
    const index = m ? Number(m[1]) : NaN;
    const total = m ? Number(m[2]) : NaN;
    if (!m || total < 1 || total > 256 || index < 1 || index > total) {
      bad('shard', '"i/n" with 1 ≤ i ≤ n ≤ 256, e.g. "2/4" (or empty)', shardRaw);
    } else {
      shard = { index, count: total };
    }
  }

  if (shard && mode !== 'pr') {
    problems.push(
      `input "shard": only works with mode "pr" (each matrix job measures its share; a job with mode "merge" combines them); got mode "${mode}"`,
    );
  }
  if (runs !== undefined && shard && runs < shard.count) {
    problems.push(
      `input "runs": ${runs} boots cannot be split over ${shard.count} shards; expected at least ${shard.count}`,
    );
  }

  if (problems.length > 0) throw new InputError(problems.join('\n'));
  return {
    config,
    subjects,
    runs,
    warmup,
    threshold,
    maxRuns,
    acceptLabel,
    alpha,
    mode,
    token,
    comment,
    failOnRegression,
    failOnInconclusive,
    cache,
    historyBranch: historyBranch === 'none' ? '' : historyBranch,
    downloadDir,
    shard,
    regressionIssue,
  };
}
