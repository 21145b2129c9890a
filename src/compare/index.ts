// Comparing two results documents, base vs head: pairs subjects by name, decides each with its own
// options and records what decided it. Sits between measure/ (the documents) and stats/ (numbers
// only); the reports print its decisions.
import type { SubjectResult } from '../measure/results.js';
import { combineVerdicts, type VerdictState } from '../stats/verdict.js';
import { DEFAULT_GATE_OPTIONS, subjectOptions, type GateOptions } from './options.js';
import { compareSubject, type SubjectComparison } from './subject.js';

export { DEFAULT_GATE_OPTIONS, subjectOptions, type GateOptions } from './options.js';
export { compareSubject, type SubjectComparison } from './subject.js';
export { DECISION_TEST, type DecidedBy, type Decision } from './decision.js';
export {
  moduleDeltas,
  moduleInstructionDeltas,
  phaseDeltas,
  type ModuleDelta,
  type ModuleInstructionDelta,
  type PhaseDelta,
} from './deltas.js';
export { moduleRegressions, type ModuleVerdict } from './module-regressions.js';

export interface Comparison {
  state: VerdictState;
  options: GateOptions;
  subjects: SubjectComparison[];
  /** subjects present on one side only */
  unmatched: string[];
}

/** Pairs subjects by name and decides each; the overall state follows combineVerdicts. */
export function compareResults(
  base: readonly SubjectResult[],
  head: readonly SubjectResult[],
  options: GateOptions = DEFAULT_GATE_OPTIONS,
): Comparison {
  const byName = new Map(base.map((s) => [s.name, s]));
  const subjects: SubjectComparison[] = [];
  const unmatched: string[] = [];
  for (const h of head) {
    const b = byName.get(h.name);
    if (b) subjects.push(compareSubject(b, h, subjectOptions(options, h.name)));
    else unmatched.push(h.name);
  }
  for (const b of base) if (!head.some((h) => h.name === b.name)) unmatched.push(b.name);
  const state = subjects.length === 0 ? 'inconclusive' : combineVerdicts(subjects.map((s) => s.state));
  return { state, options, subjects, unmatched };
}
