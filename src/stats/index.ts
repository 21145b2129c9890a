// Statistics behind bootgate's verdict: numbers in, numbers out. Pure functions, no I/O.
// Comparing results documents is src/compare/.
export { summarize, type Summary } from './descriptive.js';
export { medianCI, medianCIReachesLevel } from './median-ci.js';
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
  lookLevels,
  nominalLevels,
  sequentialGate,
  spentAlpha,
  type SequentialPlan,
  type SpendingFunction,
} from './sequential.js';
export { ksPValue, ksStatistic, spreadChange, type SpreadChange } from './kolmogorov-smirnov.js';
