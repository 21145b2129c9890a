import path from 'node:path';
import { prepareSubject } from '../build/index.js';
import type { Subject } from '../config/subjects.js';
import { hostFacts } from '../measure/host.js';
import { measure, type BootProgress, type MeasurePlan } from '../measure/run.js';
import type { ResultsDocument } from '../measure/results.js';
import { resultsDocument, writeResults } from '../measure/results-file.js';
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

/** config → build → boot → measure for every subject, in that order; partial results are still written. */
export async function runMeasure(subjects: Subject[], options: MeasureRunOptions): Promise<{ doc: ResultsDocument; interrupted: boolean }> {
  const plans: MeasurePlan[] = [];
  const { logDir, logBase } = logLocation(options);
  for (const subject of subjects) {
    if (options.signal?.aborted) break;
    options.log(`preparing ${subject.name} (${subject.os})`);
    const prepared = await prepareUnlessInterrupted(() => prepareSubject(subject, { log: options.log, signal: options.signal, logDir }), options.signal);
    if (prepared === null) break;
    plans.push(await planFor(subject, prepared, options));
  }
  const host = await hostFacts(plans[0]?.guest.qemu ?? 'qemu-system-x86_64');
  const measured = await measure(plans, { order: 'sequential', logDir, logBase, signal: options.signal, onBoot: options.onBoot });
  const { results } = measured;
  const interrupted = measured.interrupted || options.signal?.aborted === true;
  const doc = resultsDocument(results, host, interrupted);
  if (options.jsonFile) await writeResults(options.jsonFile, doc);
  return { doc, interrupted };
}

/**
 * A build stopped by SIGINT/SIGTERM is an interruption, not a failure: null, and the caller
 * writes what it has (exit 130). Any other build error is thrown as it is.
 */
export async function prepareUnlessInterrupted<T>(prepare: () => Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  try {
    return await prepare();
  } catch (error) {
    if (signal?.aborted) return null;
    throw error;
  }
}

export function logLocation(options: { jsonFile?: string; outDir: string }): { logDir: string; logBase: string } {
  if (options.jsonFile) {
    const abs = path.resolve(options.jsonFile);
    return { logDir: `${abs.replace(/\.json$/, '')}.logs`, logBase: path.dirname(abs) };
  }
  const abs = path.resolve(options.outDir);
  return { logDir: path.join(abs, 'logs'), logBase: abs };
}
