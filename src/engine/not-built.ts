// One subject that cannot be built must not cost the others their measurement: a failed checkout,
// build or run configuration becomes a result with no boots that says why, and the run goes on.
// Only a cancellation (SIGINT/SIGTERM) stops it: then what was measured so far is kept.
import { isInputError } from '../config/errors.js';
import type { Subject } from '../config/subjects.js';
import type { NotBuilt, SubjectResult } from '../measure/results.js';
import { summarizeSubject } from '../measure/summary.js';

/** Lines of the error kept beside its first line: for a build, the end of its log. */
export const NOT_BUILT_TAIL_LINES = 30;
const MAX_LINE = 500;

const clipLine = (line: string): string => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);

/** The record of a failed step. Bad input (isInputError: the subject's settings, or what they name) is `config`, whatever the step. */
export function describeNotBuilt(error: unknown, stage: NotBuilt['stage']): NotBuilt {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((l) => l.trimEnd());
  const first = lines.findIndex((l) => l.trim() !== '');
  const reason = first === -1 ? 'failed without a message' : clipLine(lines[first]!.trim());
  const rest = first === -1 ? [] : lines.slice(first + 1);
  while (rest.length > 0 && rest[0]!.trim() === '') rest.shift();
  while (rest.length > 0 && rest.at(-1)!.trim() === '') rest.pop();
  const logFile = (error as { logFile?: unknown } | null)?.logFile;
  return {
    stage: isInputError(error) ? 'config' : stage,
    reason,
    tail: rest.slice(-NOT_BUILT_TAIL_LINES).map(clipLine),
    log: typeof logFile === 'string' ? logFile : null,
  };
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; notBuilt: NotBuilt };

/**
 * Runs one step of preparing a subject; its failure is returned. null: the run was cancelled
 * (SIGINT/SIGTERM) meanwhile, which is an interruption, not a failure of the subject.
 */
export async function attempt<T>(
  stage: NotBuilt['stage'],
  signal: AbortSignal | undefined,
  step: () => Promise<T>,
): Promise<Attempt<T> | null> {
  try {
    return { ok: true, value: await step() };
  } catch (error) {
    if (signal?.aborted) return null;
    return { ok: false, notBuilt: describeNotBuilt(error, stage) };
  }
}

/** The results entry of a subject (one variant of it) that was not booted because it could not be built. */
export function notBuiltResult(
  subject: Subject,
  side: { variant?: 'base' | 'head'; ref?: string; commit?: string },
  notBuilt: NotBuilt,
): SubjectResult {
  return {
    name: subject.name,
    os: subject.os,
    variant: side.variant ?? null,
    ref: side.ref ?? null,
    commit: side.commit ?? null,
    image: null,
    build: null,
    guest: null,
    qemuCommand: [],
    deterministic: subject.settings.deterministic ?? false,
    warmup: [],
    boots: [],
    summary: summarizeSubject([]),
    notBuilt,
  };
}
