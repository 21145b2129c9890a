import path from 'node:path';
import { GUEST_DEFAULTS } from '../boot/guest.js';
import { prepareSubject } from '../build/index.js';
import type { Subject } from '../config/subjects.js';
import { hostFacts } from '../measure/host.js';
import { measure, type BootProgress, type MeasurePlan } from '../measure/run.js';
import type { ResultsDocument, SubjectResult } from '../measure/results.js';
import { resultsDocument, writeResults } from '../measure/results-file.js';
import { attempt, notBuiltResult } from './not-built.js';
import { planFor } from './plan.js';

export { DEFAULT_RUNS, DEFAULT_WARMUP } from './plan.js';

export interface MeasureRunOptions {
  /** results JSON; serial logs go beside it in <name>.logs/ */
  jsonFile?: string;
  /** where logs go when there is no JSON file */
  outDir: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  onBoot?: (progress: BootProgress) => void;
  runsOverride?: number;
  warmupOverride?: number;
}

/**
 * config → build → boot → measure for every subject, in that order; partial results are still
 * written. A subject that cannot be built is recorded as such and the others are still measured.
 */
export async function runMeasure(
  subjects: Subject[],
  options: MeasureRunOptions,
): Promise<{ doc: ResultsDocument; interrupted: boolean }> {
  const plans: MeasurePlan[] = [];
  const { logDir, logBase } = logLocation(options);
  // In subject order: a plan to boot, or the result of a subject that could not be built.
  const entries: { plan?: number; notBuilt?: SubjectResult }[] = [];
  for (const subject of subjects) {
    if (options.signal?.aborted) break;
    options.log(`preparing ${subject.name} (${subject.os})`);
    const prepared = await attempt('build', options.signal, async () =>
      planFor(subject, await prepareSubject(subject, { log: options.log, signal: options.signal, logDir }), options),
    );
    if (prepared === null) break;
    if (prepared.ok) {
      entries.push({ plan: plans.push(prepared.value) - 1 });
    } else {
      options.log(
        `${subject.name} could not be built (${prepared.notBuilt.stage}): ${prepared.notBuilt.reason}; the other subjects go on`,
      );
      entries.push({ notBuilt: notBuiltResult(subject, {}, prepared.notBuilt) });
    }
  }
  const host = await hostFacts(plans[0]?.guest.qemu ?? GUEST_DEFAULTS.qemu);
  const measured = await measure(plans, {
    order: 'sequential',
    logDir,
    logBase,
    signal: options.signal,
    onBoot: options.onBoot,
  });
  const { results } = measured;
  const interrupted = measured.interrupted || options.signal?.aborted === true;
  const doc = resultsDocument(
    entries.map((e) => e.notBuilt ?? results[e.plan!]!),
    host,
    interrupted,
  );
  if (options.jsonFile) await writeResults(options.jsonFile, doc);
  return { doc, interrupted };
}

export function logLocation(options: { jsonFile?: string; outDir: string }): { logDir: string; logBase: string } {
  if (options.jsonFile) {
    const abs = path.resolve(options.jsonFile);
    return { logDir: `${abs.replace(/\.json$/, '')}.logs`, logBase: path.dirname(abs) };
  }
  const abs = path.resolve(options.outDir);
  return { logDir: path.join(abs, 'logs'), logBase: abs };
}
