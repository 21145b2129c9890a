import { describe, expect, it } from 'vitest';
import { decide } from '../../src/stats/verdict.js';

describe('a base median of zero', () => {
  it('is an inconclusive verdict that says why, not an exception', () => {
    for (const base of [
      [0, 25.4, 0],
      [0, 0, 0, 0, 0, 0],
    ]) {
      const v = decide(base, [24.1, 25.0, 26.2, 25.5, 24.9, 25.3]);
      expect(v.state).toBe('inconclusive');
      expect(v.reason).toMatch(/base median is 0/);
      expect(v.baseMedian).toBe(0);
    }
  });
});
