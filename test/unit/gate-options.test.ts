// One builder of the gate's options for the CLI and the action: global settings with each
// subject's own thresholds from the config over them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE_OPTIONS, subjectOptions } from '../../src/compare/index.js';
import type { Subject } from '../../src/config/subjects.js';
import { gateOptions } from '../../src/engine/gate-options.js';

const subjects: Subject[] = [
  { name: 'slow-but-fine', os: 'custom', settings: { threshold: '10%' } },
  {
    name: 'in-ms',
    os: 'custom',
    settings: { threshold: '40ms', 'module-threshold': '5ms', 'instructions-threshold': 2 },
  },
  { name: 'plain', os: 'custom', settings: {} },
];

describe('gate options', () => {
  it('fills what is not given with the defaults', () => {
    expect(gateOptions({}, [])).toEqual({ ...DEFAULT_GATE_OPTIONS, thresholdMs: undefined, perSubject: {} });
  });

  it("puts each subject's own thresholds over the global ones", () => {
    const options = gateOptions(
      { alpha: 0.05, threshold: { thresholdMs: 20 }, moduleThresholdMs: 8, instructionsThresholdPct: 1 },
      subjects,
    );
    expect(options).toMatchObject({ alpha: 0.05, thresholdMs: 20, moduleThresholdMs: 8, instructionsThresholdPct: 1 });
    // an own threshold in % replaces a global one in ms
    expect(subjectOptions(options, 'slow-but-fine')).toMatchObject({ thresholdPct: 10, moduleThresholdMs: 8 });
    expect(subjectOptions(options, 'slow-but-fine').thresholdMs).toBeUndefined();
    expect(subjectOptions(options, 'in-ms')).toMatchObject({
      thresholdMs: 40,
      moduleThresholdMs: 5,
      instructionsThresholdPct: 2,
    });
    expect(subjectOptions(options, 'plain')).toMatchObject({ alpha: 0.05, thresholdMs: 20, moduleThresholdMs: 8 });
  });

  it('takes the action inputs as they are (alpha and threshold)', () => {
    const inputs = { alpha: 0.02, threshold: { thresholdPct: 4 }, config: 'bootgate.yml', runs: 10 };
    expect(gateOptions(inputs, [])).toMatchObject({
      alpha: 0.02,
      thresholdPct: 4,
      instructionsThresholdPct: DEFAULT_GATE_OPTIONS.instructionsThresholdPct,
    });
  });
});
