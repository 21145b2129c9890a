import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildMultibootFixture, multibootFixtureSettings } from '../build/multiboot-fixture.js';
import type { BootProgress } from '../measure/run.js';
import { summarize } from '../stats/index.js';
import { runMeasure } from './measure.js';

/**
 * Harness benchmark: boots the multiboot fixture N times and reports the CV of start→ready and
 * the harness overhead, i.e. how much of the wall time is spent outside the measured interval.
 */
export async function runHarnessBench(options: { runs: number }): Promise<string> {
  const fixture = await buildMultibootFixture();
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-bench-'));
  try {
    const began = process.hrtime.bigint();
    const boots: { timeline: NonNullable<BootProgress['timeline']>; reported: bigint }[] = [];
    const { doc } = await runMeasure(
      [{ name: 'multiboot-fixture', os: 'custom', settings: multibootFixtureSettings(fixture.kernel) }],
      {
        outDir,
        log: () => {},
        runsOverride: options.runs,
        warmupOverride: 0,
        onBoot: (p) => boots.push({ timeline: p.timeline!, reported: process.hrtime.bigint() }),
      },
    );
    const ended = process.hrtime.bigint();
    const wallMs = Number(ended - began) / 1e6;
    const s = doc.subjects[0]!.summary;
    // Validity: the guest's own TSC clock between its start and ready lines, from each serial log.
    const tscRe = new RegExp(fixture.tscLine);
    const diffs: number[] = [];
    for (const boot of doc.subjects[0]!.boots) {
      if (!boot.ok || !boot.log) continue;
      const match = tscRe.exec(await readFile(path.join(outDir, boot.log), 'utf8'));
      if (match) diffs.push(boot.bootMs! - Number(match[1]) / 1000);
    }
    const agreement = summarize(diffs.map(Math.abs));
    const sumBoot = doc.subjects[0]!.boots.reduce((acc, b) => acc + (b.bootMs ?? 0), 0);
    return [
      `boots: ${s.n}/${s.total} ok`,
      `start→ready median ${s.median?.toFixed(2)} ms, min ${s.min?.toFixed(2)}, max ${s.max?.toFixed(2)}, CV ${((s.cv ?? 0) * 100).toFixed(2)} %`,
      `wall time of ${options.runs} boots: ${(wallMs / 1000).toFixed(2)} s; sum of boot times ${(sumBoot / 1000).toFixed(2)} s`,
      `harness efficiency (sum of boot times / wall time): ${((sumBoot / wallMs) * 100).toFixed(1)} %`,
      `per-boot overhead outside the measured interval: ${((wallMs - sumBoot) / options.runs).toFixed(1)} ms (QEMU start-up, firmware, kill, log writing)`,
      agreement
        ? `validity: host start→ready minus the guest's own TSC start→ready over ${diffs.length} boots: median ${summarize(diffs)!.median.toFixed(2)} ms, median |Δ| ${agreement.median.toFixed(2)} ms, max |Δ| ${agreement.max.toFixed(2)} ms (${((100 * agreement.median) / (s.median ?? 1)).toFixed(2)} % of the median boot)`
        : 'validity: no TSC line found in the serial logs',
      '',
      ...overheadBreakdown(boots, began, ended),
    ].join('\n');
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * Where the wall time goes, per boot (medians over the boots) and in total: the harness's
 * stamps of each boot (src/boot/boot-once.ts) split it into steps; their sum plus the setup
 * before the first boot and the results after the last is the whole wall time.
 */
export function overheadBreakdown(
  boots: { timeline: NonNullable<BootProgress['timeline']>; reported: bigint }[],
  began: bigint,
  ended: bigint,
): string[] {
  if (boots.length === 0) return ['overhead breakdown: no boots'];
  const ms = (from: bigint | null, to: bigint | null): number =>
    from !== null && to !== null ? Number(to - from) / 1e6 : 0;
  const steps: { label: string; each: number[] }[] = [
    { label: 'gap before the boot (previous boot reported → next bootOnce; folder creation)', each: [] },
    { label: 'before QEMU is launched (leftover sweep, port, marker worker start)', each: [] },
    { label: 'QEMU start-up → first serial byte (QEMU, firmware)', each: [] },
    { label: 'first serial byte → start marker (guest before its start line)', each: [] },
    { label: 'start → ready marker (the measured interval)', each: [] },
    { label: 'ready → HTTP 200', each: [] },
    { label: 'ready/HTTP 200 → boot over (marker answer latency)', each: [] },
    { label: 'boot over → QEMU killed and reaped, worker stopped', each: [] },
    { label: 'reaped → boot reported (serial log written, record made)', each: [] },
  ];
  let previous = began;
  for (const { timeline: t, reported } of boots) {
    const lastMark = t.httpAt ?? t.readyAt;
    const values = [
      ms(previous, t.begun),
      ms(t.begun, t.launched),
      ms(t.launched, t.firstOutput),
      ms(t.firstOutput, t.startAt),
      ms(t.startAt, t.readyAt),
      ms(t.readyAt, t.httpAt),
      ms(lastMark, t.ended),
      ms(t.ended, t.reaped),
      ms(t.reaped, reported),
    ];
    values.forEach((v, i) => steps[i]!.each.push(v));
    previous = reported;
  }
  // the first gap includes building the fixture and preparing the subject: shown on its own
  const setup = steps[0]!.each.shift()!;
  const total = Number(ended - began) / 1e6;
  const after = ms(boots.at(-1)!.reported, ended);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const row = (label: string, median: string, totalMs: number): string =>
    `| ${label} | ${median} | ${(totalMs / 1000).toFixed(2)} s | ${((100 * totalMs) / total).toFixed(1)} % |`;
  return [
    `Where the wall time goes (${boots.length} boots, ${(total / 1000).toFixed(2)} s):`,
    '',
    '| step | median per boot | total | share of wall time |',
    '| --- | --- | --- | --- |',
    row('setup before the first boot (fixture, subject, host facts)', '—', setup),
    ...steps.map((s) =>
      row(s.label, s.each.length > 0 ? `${summarize(s.each)!.median.toFixed(1)} ms` : '—', sum(s.each)),
    ),
    row('after the last boot (results)', '—', after),
  ];
}
