// Invalid inputs fail the step before anything runs, naming each input and what it accepts; the
// parser is also checked directly.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInputs } from '../../src/github/inputs.js';
import { runActionProcess } from '../helpers/action-env.js';
import { FakeGitHub } from '../helpers/fake-github.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bootgate-action-inputs-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const read = (values: Record<string, string>) => (name: string): string => values[name] ?? '';

describe('action inputs', () => {
  it('the bundled action fails with every bad input named, and calls nothing', async () => {
    const fake = new FakeGitHub({ owner: 'acme', repo: 'embox' });
    await fake.start();
    try {
      const r = await runActionProcess({
        inputs: { mode: 'weekly', comment: 'sometimes', runs: 'ten', threshold: '-3', alpha: '2', 'fail-on-regression': 'yes', shard: '0/4', cache: 'maybe' },
        eventName: 'pull_request', payload: {}, workspace: tmp, runDir: path.join(tmp, 'run'), fake, runId: 1,
      });
      expect(r.code).toBe(1);
      // workflow commands escape "%" as %25
      const error = r.stdout.split('\n').find((l) => l.startsWith('::error::'))!.replaceAll('%25', '%');
      for (const expected of [
        'input "mode": expected one of pr, nightly, report, merge; got "weekly"',
        'input "comment": expected one of always, on-change, never; got "sometimes"',
        'input "runs": expected a whole number',
        'input "threshold": expected "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms; got "-3"',
        'input "alpha": expected a significance level greater than 0 and at most 0.5; got "2"',
        'input "fail-on-regression": expected true or false; got "yes"',
        'input "shard": expected "i/n"',
        'input "cache": expected true or false; got "maybe"',
      ]) {
        expect(error).toContain(expected);
      }
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.stop();
    }
  });

  it('parses the defaults as action.yml declares them', () => {
    const inputs = parseInputs(read({}));
    expect(inputs).toMatchObject({
      config: 'bootgate.yml', subjects: { kind: 'changed' }, runs: undefined, warmup: undefined, threshold: { thresholdPct: 3 }, maxRuns: undefined, acceptLabel: 'boot-time-accepted', alpha: 0.01,
      mode: 'pr', comment: 'always', failOnRegression: true, failOnInconclusive: false, cache: true, historyBranch: 'bootgate-data',
      downloadDir: undefined, shard: undefined, regressionIssue: true,
    });
  });

  it('parses lists, shards, booleans and the history switch', () => {
    const inputs = parseInputs(read({ subjects: 'a, b-2', runs: '12', warmup: '0', shard: '2/3', 'fail-on-inconclusive': 'True', 'history-branch': 'none' }));
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
    expect(() => parseInputs(read({ threshold: '20 s' }))).toThrow('input "threshold": expected "5%" (of the base median) or "20ms"');
    expect(() => parseInputs(read({ threshold: '0ms' }))).toThrow('input "threshold"');
    expect(() => parseInputs(read({ 'max-runs': 'lots' }))).toThrow('input "max-runs"');
  });

  it('rejects combinations that cannot work', () => {
    expect(() => parseInputs(read({ mode: 'nightly', shard: '1/2' }))).toThrow('input "shard": only works with mode "pr"');
    expect(() => parseInputs(read({ runs: '2', shard: '1/3' }))).toThrow('input "runs": 2 boots cannot be split over 3 shards');
    expect(() => parseInputs(read({ 'history-branch': 'bad..name' }))).toThrow('input "history-branch": expected a valid git branch name');
    expect(() => parseInputs(read({ subjects: 'ok,no way' }))).toThrow('input "subjects"');
  });
});
