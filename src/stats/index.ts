// Statistics behind bootgate's verdict. Pure functions, no I/O.
export { summarize, type Summary } from './descriptive.js';
export { medianCI } from './median-ci.js';
export { mannWhitney } from './mann-whitney.js';
export { hodgesLehmann } from './hodges-lehmann.js';
export { madOutliers } from './outliers.js';
export {
  relativeChange,
  decide,
  combineVerdicts,
  DEFAULT_VERDICT_OPTIONS,
  type RelativeChange,
  type VerdictState,
  type VerdictOptions,
  type Verdict,
} from './verdict.js';
export { decideInstructions, type InstructionVerdict } from './instructions.js';
export {
  compareResults,
  compareSubject,
  moduleDeltas,
  phaseDeltas,
  subjectOptions,
  DEFAULT_GATE_OPTIONS,
  type Comparison,
  type SubjectComparison,
  type ModuleDelta,
  type PhaseDelta,
  type GateOptions,
} from './compare-results.js';
export { lookLevels, nominalLevels, sequentialGate, spentAlpha, type SequentialPlan, type SpendingFunction } from './sequential.js';
export { ksPValue, ksStatistic, spreadChange, type SpreadChange } from './kolmogorov-smirnov.js';
export { moduleRegressions, type ModuleVerdict } from './module-verdicts.js';
