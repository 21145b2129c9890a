// A small, valid results document built by hand (no QEMU): the starting point of tests that craft
// hostile ones by changing single fields.
import type { BootRecord, ResultsDocument, SubjectResult } from '../../src/measure/results.js';
import { RESULTS_SCHEMA } from '../../src/measure/results.js';
import { summarizeSubject } from '../../src/measure/summary.js';

export function validSubject(name: string, variant: 'base' | 'head' | null, times: (number | null)[]): SubjectResult {
  const boots: BootRecord[] = times.map((t, index) => ({
    index,
    sequence: index * 2 + (variant === 'head' ? 1 : 0),
    ok: t !== null,
    bootMs: t,
    httpMs: t === null ? null : t + 20,
    instructions: null,
    modules: t === null ? [] : [{ name: 'embox.driver.clock.tsc', ms: t / 2 }],
    error: t === null ? 'timed out after 30 s before the ready marker /httpd/ appeared\nserial tail:\n  | boot' : null,
    log: null,
  }));
  return {
    name,
    os: 'custom',
    variant,
    ref: variant,
    commit: variant === null ? null : (variant === 'base' ? 'b' : 'a').repeat(40),
    image: { path: 'kernel.elf', sizes: { text: 1000, data: 100, bss: 10 } },
    build: null,
    guest: {
      qemu: 'qemu-system-i386',
      memoryMb: 64,
      kernel: 'kernel.elf',
      network: null,
      httpPath: '/',
      extraArgs: [],
      startMarker: 'start',
      readyMarker: 'ready',
      moduleMarker: null,
      timeoutMs: 30_000,
    },
    qemuCommand: ['qemu-system-i386', '-accel', 'tcg'],
    deterministic: false,
    warmup: [],
    boots,
    summary: summarizeSubject(boots),
  };
}

export function validDocument(subjects: SubjectResult[]): ResultsDocument {
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'bootgate', version: '0.1.0' },
    createdAt: '2026-11-29T00:00:00.000Z',
    host: { cpu: 'test cpu', cores: 2, os: 'Debian', kernel: '6.1', qemu: 'QEMU 7.2', node: 'v20', compiler: null },
    partial: false,
    subjects,
  };
}

/** Base and head documents of one subject, a few boots each: a "no change" pair. */
export function validPair(name = 'fixture'): { base: ResultsDocument; head: ResultsDocument } {
  return {
    base: validDocument([validSubject(name, 'base', [100, 101, 102, 103, 104, 105])]),
    head: validDocument([validSubject(name, 'head', [100.5, 101.5, 102.5, 103.5, 104.5, 105.5])]),
  };
}
