import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildMultibootFixture, multibootFixtureSettings } from '../build/multiboot-fixture.js';
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
    const { doc } = await runMeasure(
      [{ name: 'multiboot-fixture', os: 'custom', settings: multibootFixtureSettings(fixture.kernel) }],
      { outDir, log: () => {}, runsOverride: options.runs, warmupOverride: 0 },
    );
    const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
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
    ].join('\n');
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
