import { describe, expect, it } from 'vitest';
import type { SerialLine } from '../../src/boot/serial.js';
import { DEFAULT_MODULE_MARKER } from '../../src/boot/guest.js';
import { bootPhases } from '../../src/measure/phases.js';

/** Lines at the given ms (as hrtime ns). */
const trace = (rows: [number, string][]): SerialLine[] =>
  rows.map(([ms, text]) => ({ at: BigInt(Math.round(ms * 1e6)), text }));

// The shape of a real Embox x86/qemu boot (times from a serial log of that template).
const embox = (sleepMs: number): SerialLine[] =>
  trace([
    [138.2, '[info] (Kernel) Embox kernel start'],
    [140.0, '(unit) initializing embox.kernel.task'],
    [180.6, '(unit) initializing embox.driver.clock.tsc'],
    [1590.0, '(unit) initializing embox.driver.net.virtio'],
    [1604.1, '[info] (mod) runlevel is 2'],
    [1609.8, '>export PWD=/'],
    [1611.7, '>export HOME=/'],
    [1614.2, '>service net_service'],
    [1633.8, '>service telnetd'],
    ...(sleepMs > 0 ? ([[1644.4, `>msleep ${sleepMs}`]] as [number, string][]) : []),
    [1644.5 + sleepMs, '>service httpd'],
    [1645.7 + sleepMs, 'Starting service: httpd'],
  ]);

describe('boot phases', () => {
  it('splits start → ready into start → first module, module init, the start script per command, and ready → HTTP 200', () => {
    const lines = embox(0);
    const phases = bootPhases(lines, DEFAULT_MODULE_MARKER, lines[0]!.at, lines.at(-1)!.at, BigInt(1675.7e6));
    expect(phases.map((p) => p.name)).toEqual([
      'start → first module',
      'module init (all modules)',
      'last module → start script',
      'script: export PWD=/',
      'script: export HOME=/',
      'script: service net_service',
      'script: service telnetd',
      'script: service httpd',
      'ready → first HTTP 200',
    ]);
    const byName = Object.fromEntries(phases.map((p) => [p.name, p.ms]));
    expect(byName['module init (all modules)']).toBeCloseTo(1604.1 - 140.0, 1);
    expect(byName['script: service telnetd']).toBeCloseTo(1644.5 - 1633.8, 1);
    expect(byName['ready → first HTTP 200']).toBeCloseTo(30, 1);
    // the phases up to ready add up to start → ready
    const toReady = phases.filter((p) => p.name !== 'ready → first HTTP 200').reduce((a, p) => a + p.ms, 0);
    expect(toReady).toBeCloseTo(1645.7 - 138.2, 1);
  });

  it('a 60 ms wait in the start script is a phase of its own, in no module', () => {
    const lines = embox(60);
    const phases = bootPhases(lines, DEFAULT_MODULE_MARKER, lines[0]!.at, lines.at(-1)!.at, null);
    const sleep = phases.find((p) => p.name === 'script: msleep 60')!;
    expect(sleep.ms).toBeCloseTo(60.1, 1);
    expect(phases.some((p) => p.name === 'ready → first HTTP 200')).toBe(false);
  });

  it('a guest without modules or echoed commands has one phase to ready', () => {
    const lines = trace([
      [10, 'kernel start'],
      [20, 'hello'],
      [260, 'ready'],
    ]);
    expect(bootPhases(lines, null, lines[0]!.at, lines[2]!.at, null)).toEqual([{ name: 'start → ready', ms: 250 }]);
    expect(bootPhases(lines, null, null, null, null)).toEqual([]);
  });
});
