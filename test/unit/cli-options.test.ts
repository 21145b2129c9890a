import { describe, expect, it } from 'vitest';
import {
  benchAccuracyCliOptions,
  compareCliOptions,
  demoCliOptions,
  fixtureCliOptions,
  gateCliOptions,
  gateFlags,
} from '../../src/cli/options.js';

describe('CLI options parsed once into typed objects', () => {
  it('gate: subject flags, output, refs and the global gate settings', () => {
    const options = gateCliOptions({
      config: 'bootgate.yml',
      subject: ['a', 'b'],
      head: 'HEAD',
      out: 'o',
      quiet: true,
      threshold: '40ms',
      moduleThreshold: '10ms',
      alpha: '0.01',
      failOnInconclusive: true,
      exportBmf: 'bmf.json',
      runs: '7',
    });
    expect(options).toEqual({
      subjects: {
        configFile: 'bootgate.yml',
        only: ['a', 'b'],
        name: undefined,
        flags: { threshold: '40ms', 'module-threshold': '10ms', runs: 7 },
      },
      output: {
        json: undefined,
        outDir: 'o',
        quiet: true,
        exports: { bmf: 'bmf.json', benchmarkAction: undefined, csv: undefined, markdown: undefined },
      },
      repo: undefined,
      base: undefined,
      head: 'HEAD',
      gate: { alpha: 0.01, threshold: { thresholdMs: 40 }, moduleThresholdMs: 10, instructionsThresholdPct: 1 },
      failOnInconclusive: true,
    });
  });

  it('defaults for what is not given; bad values name the flag', () => {
    expect(gateFlags({})).toEqual({
      alpha: 0.01,
      threshold: { thresholdPct: 3 },
      moduleThresholdMs: null,
      instructionsThresholdPct: 1,
    });
    expect(() => gateFlags({ alpha: '0.9' })).toThrow('command line --alpha: expected a number in (0, 0.5], got "0.9"');
    expect(() => gateFlags({ moduleThreshold: 'soon' })).toThrow(
      'command line --module-threshold: expected a time like "10ms"',
    );
    expect(() => compareCliOptions({ base: 'b.json', head: 'h.json', threshold: '200%' })).toThrow(
      /command line --threshold: expected a threshold/,
    );
    expect(() => demoCliOptions({ runs: '0', warmup: '1' })).toThrow(
      'command line --runs: expected a whole number from 1 to 5000, got "0"',
    );
    expect(demoCliOptions({ runs: '3', warmup: '0', out: 'x' })).toMatchObject({
      runs: 3,
      warmup: 0,
      output: { outDir: 'x', quiet: false },
    });
  });

  it('fixture and bench-accuracy', () => {
    expect(fixtureCliOptions({ out: 'k.elf', workPercent: '110' })).toEqual({
      out: 'k.elf',
      params: undefined,
      arch: undefined,
      startLine: undefined,
      readyText: undefined,
      workPercent: 110,
      extraIterations: undefined,
    });
    expect(() => fixtureCliOptions({ out: 'k.elf', extraIterations: '-1' })).toThrow(
      /--extra-iterations: expected a whole number from 0/,
    );
    expect(benchAccuracyCliOptions({ replay: 'a.json,b.json', gates: '10', out: 'o.md' })).toEqual({
      replay: { base: 'a.json', head: 'b.json' },
      pool: 0,
      gates: 10,
      out: 'o.md',
      pools: [],
      fixture: true,
    });
    expect(() => benchAccuracyCliOptions({ replay: 'a.json', gates: '10', out: 'o.md' })).toThrow(
      'command line --replay: expected "<base.json>,<head.json>", got "a.json"',
    );
    expect(benchAccuracyCliOptions({ pool: '60', gates: '100', out: 'o.md' })).toMatchObject({
      replay: undefined,
      pool: 60,
      gates: 100,
    });
    // commander's --no-fixture gives fixture: false; --pools a list of base,head,label
    expect(
      benchAccuracyCliOptions({
        pools: ['q/base.json,q/head.json,a quiet machine, really'],
        fixture: false,
        gates: '200',
        out: 'o.md',
      }),
    ).toMatchObject({
      pools: [{ base: 'q/base.json', head: 'q/head.json', label: 'a quiet machine, really' }],
      fixture: false,
      pool: 0,
    });
    expect(() => benchAccuracyCliOptions({ pools: ['a.json,b.json'], gates: '10', pool: '60', out: 'o.md' })).toThrow(
      'command line --pools: expected "<base.json>,<head.json>,<label>", got "a.json,b.json"',
    );
    expect(() => benchAccuracyCliOptions({ fixture: false, gates: '10', out: 'o.md' })).toThrow(
      'command line --no-fixture: give --pools',
    );
  });
});
