import { describe, expect, it } from 'vitest';
import {
  MAX_THRESHOLD_MS,
  parseModuleThresholdOrNull,
  parseThreshold,
  parseThresholdOrNull,
  thresholdProblem,
} from '../../src/config/threshold.js';
import { subjectSettingsSchema } from '../../src/config/schema.js';

describe('thresholds', () => {
  it('reads percent and ms, a bare number being percent', () => {
    expect(parseThresholdOrNull('5%')).toEqual({ thresholdPct: 5 });
    expect(parseThresholdOrNull(' 2.5 % ')).toEqual({ thresholdPct: 2.5 });
    expect(parseThresholdOrNull(4)).toEqual({ thresholdPct: 4 });
    expect(parseThresholdOrNull('20ms')).toEqual({ thresholdMs: 20 });
    expect(parseThresholdOrNull('20 ms')).toEqual({ thresholdMs: 20 });
  });

  it('refuses what is not a threshold', () => {
    for (const bad of ['0%', '-3', '101%', '20 s', 'ms', '', '1e3ms', '700000ms', NaN, null, true])
      expect(parseThresholdOrNull(bad)).toBeNull();
  });

  it('module thresholds are times', () => {
    expect(parseModuleThresholdOrNull('10ms')).toBe(10);
    expect(parseModuleThresholdOrNull(10)).toBe(10);
    expect(parseModuleThresholdOrNull('10%')).toBeNull();
  });

  it('the config accepts both forms and names the key on a bad one', () => {
    expect(
      subjectSettingsSchema.safeParse({ threshold: '40ms', 'module-threshold': '10ms', 'max-runs': 40 }).success,
    ).toBe(true);
    expect(subjectSettingsSchema.safeParse({ threshold: 3 }).success).toBe(true);
    const bad = subjectSettingsSchema.safeParse({ threshold: '3 seconds' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).toContain('expected a threshold like');
  });

  it('takes the bounds themselves: 100 % and ten minutes', () => {
    expect(parseThresholdOrNull('100%')).toEqual({ thresholdPct: 100 });
    expect(parseThresholdOrNull(`${MAX_THRESHOLD_MS}ms`)).toEqual({ thresholdMs: 600_000 });
    expect(parseThresholdOrNull('0.5ms')).toEqual({ thresholdMs: 0.5 });
    expect(parseThresholdOrNull(`${MAX_THRESHOLD_MS + 1}ms`)).toBeNull();
    expect(parseThresholdOrNull(100.01)).toBeNull();
    expect(parseThresholdOrNull(Infinity)).toBeNull();
  });

  it('parseThreshold names where the bad value came from and what it was', () => {
    const error = (message: string) => new RangeError(message);
    expect(parseThreshold('3%', 'input "threshold"', error)).toEqual({ thresholdPct: 3 });
    expect(() => parseThreshold('3 seconds', '--threshold', error)).toThrow(RangeError);
    expect(() => parseThreshold('3 seconds', '--threshold', error)).toThrow(
      '--threshold: expected a threshold like "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms, got "3 seconds"',
    );
    expect(thresholdProblem('5%')).toBeNull();
    expect(thresholdProblem('5 %%')).toMatch(/^expected a threshold like/);
  });

  it('module thresholds refuse what is not a positive time', () => {
    for (const bad of ['0ms', '-1ms', 'abc', '', '10 s', '700000ms', 0, -5, null])
      expect(parseModuleThresholdOrNull(bad), String(bad)).toBeNull();
    expect(parseModuleThresholdOrNull('2.5 ms')).toBe(2.5);
    expect(parseModuleThresholdOrNull('7')).toBe(7);
  });
});
