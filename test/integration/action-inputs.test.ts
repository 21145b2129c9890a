// Invalid inputs fail the step before anything runs, naming each input and what it accepts. The
// parser itself is tested in test/unit/action-inputs.test.ts.
import { describe, expect } from 'vitest';
import { githubTest as test } from '../helpers/github-world.js';

describe('action inputs', () => {
  test('the bundled action fails with every bad input named, and calls nothing', async ({ fake, runAction }) => {
    const r = await runAction({
      inputs: {
        mode: 'weekly',
        comment: 'sometimes',
        runs: 'ten',
        threshold: '-3',
        alpha: '2',
        'fail-on-regression': 'yes',
        shard: '0/4',
        cache: 'maybe',
      },
      eventName: 'pull_request',
      payload: {},
      runId: 1,
    });
    expect(r.code).toBe(1);
    // workflow commands escape "%" as %25
    const error = r.stdout
      .split('\n')
      .find((l) => l.startsWith('::error::'))!
      .replaceAll('%25', '%');
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
  });
});
