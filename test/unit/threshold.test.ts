import { describe, expect, it } from 'vitest';
import { parseModuleThresholdOrNull, parseThresholdOrNull } from '../../src/config/threshold.js';
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
    for (const bad of ['0%', '-3', '101%', '20 s', 'ms', '', '1e3ms', '700000ms', NaN, null, true]) expect(parseThresholdOrNull(bad)).toBeNull();
  });

  it('module thresholds are times', () => {
    expect(parseModuleThresholdOrNull('10ms')).toBe(10);
    expect(parseModuleThresholdOrNull(10)).toBe(10);
    expect(parseModuleThresholdOrNull('10%')).toBeNull();
  });

  it('the config accepts both forms and names the key on a bad one', () => {
    expect(subjectSettingsSchema.safeParse({ threshold: '40ms', 'module-threshold': '10ms', 'max-runs': 40 }).success).toBe(true);
    expect(subjectSettingsSchema.safeParse({ threshold: 3 }).success).toBe(true);
    const bad = subjectSettingsSchema.safeParse({ threshold: '3 seconds' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).toContain('expected a threshold like');
  });
});
