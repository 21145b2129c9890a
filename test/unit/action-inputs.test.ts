// The action's inputs (src/github/inputs.ts) parsed directly: defaults as action.yml declares them,
// good values to what they mean, and every bad value refused naming the input and what it accepts.
import { describe, expect, it } from 'vitest';
import { InputError, parseInputs } from '../../src/github/inputs.js';

const read =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

/** The InputError parseInputs throws for `values`; fails the test if it parses. */
function inputError(values: Record<string, string>): string {
  try {
    parseInputs(read(values));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`expected an InputError for ${JSON.stringify(values)}`);
}

describe('action inputs', () => {
  it('parses the defaults as action.yml declares them', () => {
    const inputs = parseInputs(read({}));
    expect(inputs).toMatchObject({
      config: 'bootgate.yml',
      subjects: { kind: 'changed' },
      runs: undefined,
      warmup: undefined,
      threshold: { thresholdPct: 3 },
      maxRuns: undefined,
      acceptLabel: 'boot-time-accepted',
      alpha: 0.01,
      mode: 'pr',
      comment: 'always',
      failOnRegression: true,
      failOnInconclusive: false,
      cache: true,
      historyBranch: 'bootgate-data',
      downloadDir: undefined,
      shard: undefined,
      regressionIssue: true,
    });
  });

  it('parses lists, shards, booleans and the history switch', () => {
    const inputs = parseInputs(
      read({
        subjects: 'a, b-2',
        runs: '12',
        warmup: '0',
        shard: '2/3',
        'fail-on-inconclusive': 'True',
        'history-branch': 'none',
      }),
    );
    expect(inputs.subjects).toEqual({ kind: 'names', names: ['a', 'b-2'] });
    expect(inputs.runs).toBe(12);
    expect(inputs.warmup).toBe(0);
    expect(inputs.shard).toEqual({ index: 2, count: 3 });
    expect(inputs.failOnInconclusive).toBe(true);
    expect(inputs.historyBranch).toBe('');
  });

  it('takes a threshold in percent or in ms, and max-runs', () => {
    expect(parseInputs(read({ threshold: '40ms' })).threshold).toEqual({ thresholdMs: 40 });
    expect(parseInputs(read({ threshold: '2.5 %' })).threshold).toEqual({ thresholdPct: 2.5 });
    expect(parseInputs(read({ threshold: '4' })).threshold).toEqual({ thresholdPct: 4 });
    expect(parseInputs(read({ 'max-runs': '40' })).maxRuns).toBe(40);
    expect(() => parseInputs(read({ threshold: '20 s' }))).toThrow(
      'input "threshold": expected "5%" (of the base median) or "20ms"',
    );
    expect(() => parseInputs(read({ threshold: '0ms' }))).toThrow('input "threshold"');
    expect(() => parseInputs(read({ 'max-runs': 'lots' }))).toThrow('input "max-runs"');
  });

  it('rejects combinations that cannot work', () => {
    expect(() => parseInputs(read({ mode: 'nightly', shard: '1/2' }))).toThrow(
      'input "shard": only works with mode "pr"',
    );
    expect(() => parseInputs(read({ runs: '2', shard: '1/3' }))).toThrow(
      'input "runs": 2 boots cannot be split over 3 shards',
    );
    expect(() => parseInputs(read({ 'history-branch': 'bad..name' }))).toThrow(
      'input "history-branch": expected a valid git branch name',
    );
    expect(() => parseInputs(read({ subjects: 'ok,no way' }))).toThrow('input "subjects"');
  });

  it('reads every choice of mode and comment, and both spellings of the booleans', () => {
    for (const mode of ['pr', 'nightly', 'report', 'merge'] as const)
      expect(parseInputs(read({ mode })).mode).toBe(mode);
    for (const comment of ['always', 'on-change', 'never'] as const)
      expect(parseInputs(read({ comment })).comment).toBe(comment);
    for (const [text, value] of [
      ['true', true],
      ['True', true],
      ['TRUE', true],
      ['false', false],
      ['False', false],
      ['FALSE', false],
    ] as const) {
      const inputs = parseInputs(
        read({ 'fail-on-regression': text, 'fail-on-inconclusive': text, cache: text, 'regression-issue': text }),
      );
      expect([inputs.failOnRegression, inputs.failOnInconclusive, inputs.cache, inputs.regressionIssue]).toEqual([
        value,
        value,
        value,
        value,
      ]);
    }
  });

  it('trims values, and takes the subject filter, label, token, paths and alpha as given', () => {
    const inputs = parseInputs(
      read({
        config: ' ci/boot.yml ',
        subjects: ' all ',
        runs: ' 7 ',
        alpha: '0.05',
        'accept-label': ' slow-ok ',
        'github-token': ' tok ',
        'download-dir': '/srv/downloads',
        'history-branch': 'perf/history',
        shard: '1 / 4',
      }),
    );
    expect(inputs).toMatchObject({
      config: 'ci/boot.yml',
      subjects: { kind: 'all' },
      runs: 7,
      alpha: 0.05,
      acceptLabel: 'slow-ok',
      token: 'tok',
      downloadDir: '/srv/downloads',
      historyBranch: 'perf/history',
      shard: { index: 1, count: 4 },
    });
    expect(parseInputs(read({ subjects: 'changed' })).subjects).toEqual({ kind: 'changed' });
    expect(parseInputs(read({ alpha: '0.5' })).alpha).toBe(0.5);
    expect(parseInputs(read({ shard: '256/256', runs: '256' })).shard).toEqual({ index: 256, count: 256 });
    // the runner passes '' for an input set to '': the same as unset
    expect(parseInputs(read({ 'history-branch': '' })).historyBranch).toBe('bootgate-data');
  });

  it('refuses counts outside their range, naming the input and the range', () => {
    expect(inputError({ runs: '0' })).toBe(
      'input "runs": expected a whole number from 1 to 5000 (or empty for the config\'s value); got "0"',
    );
    expect(inputError({ runs: '2.5' })).toContain('input "runs": expected a whole number from 1 to 5000');
    expect(inputError({ runs: '-1' })).toContain('input "runs": expected a whole number from 1 to 5000');
    expect(inputError({ warmup: '1001' })).toContain('input "warmup": expected a whole number from 0 to 1000');
    expect(inputError({ 'max-runs': '0' })).toContain('input "max-runs": expected a whole number from 1 to 5000');
    expect(inputError({ 'max-runs': '5001' })).toContain('input "max-runs": expected a whole number from 1 to 5000');
  });

  it('refuses a significance level outside (0, 0.5] or not a number', () => {
    for (const alpha of ['0', '0.51', '-0.1', 'abc', '1/20', 'Infinity', '0x1']) {
      expect(inputError({ alpha }), alpha).toBe(
        `input "alpha": expected a significance level greater than 0 and at most 0.5; got ${JSON.stringify(alpha)}`,
      );
    }
  });

  it('refuses thresholds past their ceilings and in other units', () => {
    for (const threshold of ['101%', '600001ms', '0', '5 s', '%', 'five']) {
      expect(inputError({ threshold }), threshold).toContain(
        `input "threshold": expected "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms; got ${JSON.stringify(threshold)}`,
      );
    }
    expect(parseInputs(read({ threshold: '100%' })).threshold).toEqual({ thresholdPct: 100 });
    expect(parseInputs(read({ threshold: '600000ms' })).threshold).toEqual({ thresholdMs: 600000 });
  });

  it('refuses shards that are not i/n with 1 ≤ i ≤ n ≤ 256', () => {
    for (const shard of ['0/4', '5/4', '1/0', '1/257', '2', 'a/b', '1/2/3', '-1/2']) {
      expect(inputError({ shard }), shard).toBe(
        `input "shard": expected "i/n" with 1 ≤ i ≤ n ≤ 256, e.g. "2/4" (or empty); got ${JSON.stringify(shard)}`,
      );
    }
  });

  it('refuses branch names git would refuse for the history branch', () => {
    for (const branch of [
      '-main',
      'data/',
      '.hidden',
      'a..b',
      'a b',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      'x.lock',
      '@',
      'a//b',
      'a@{1}',
    ]) {
      expect(inputError({ 'history-branch': branch }), branch).toBe(
        `input "history-branch": expected a valid git branch name (or "none" to keep no history); got ${JSON.stringify(branch)}`,
      );
    }
  });

  it('refuses subject lists with names that cannot be subjects', () => {
    for (const subjects of [',', ' , ', '-a', 'a,b c', 'a;b', '../x']) {
      expect(inputError({ subjects }), subjects).toBe(
        `input "subjects": expected "changed", "all", or a comma-separated list of subject names; got ${JSON.stringify(subjects.trim())}`,
      );
    }
  });

  it('refuses words that are not choices or booleans, for every such input', () => {
    expect(inputError({ mode: 'PR' })).toBe('input "mode": expected one of pr, nightly, report, merge; got "PR"');
    expect(inputError({ comment: 'Always' })).toBe(
      'input "comment": expected one of always, on-change, never; got "Always"',
    );
    for (const name of ['fail-on-regression', 'fail-on-inconclusive', 'cache', 'regression-issue']) {
      for (const value of ['yes', '1', 'on', 'tRUE']) {
        expect(inputError({ [name]: value }), `${name}: ${value}`).toBe(
          `input "${name}": expected true or false; got ${JSON.stringify(value)}`,
        );
      }
    }
  });

  it('reports every bad input at once, one line each', () => {
    const lines = inputError({ mode: 'weekly', runs: 'ten', cache: 'maybe' }).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => /^input "([^"]+)"/.exec(l)?.[1]).sort()).toEqual(['cache', 'mode', 'runs']);
  });
});
