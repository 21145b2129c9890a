// Base-vs-head comparison of one subject: the numbers the verdict and the report are made of, and
// the decision with what took it. Pure: no I/O.
import type { BootRecord, SubjectResult } from '../measure/results.js';
import { decideInstructions, type InstructionVerdict } from '../stats/instructions.js';
import { spreadChange, type SpreadChange } from '../stats/kolmogorov-smirnov.js';
import { lookLevels, type SequentialPlan } from '../stats/sequential.js';
import { decide, describeThreshold, MIN_BOOTS_PER_SIDE, type Verdict, type VerdictState } from '../stats/verdict.js';
import { DECISION_TEST, type DecidedBy, type Decision } from './decision.js';
import {
  moduleDeltas,
  moduleInstructionDeltas,
  phaseDeltas,
  type ModuleDelta,
  type ModuleInstructionDelta,
  type PhaseDelta,
} from './deltas.js';
import { moduleRegressions, type ModuleVerdict } from './module-regressions.js';
import { DEFAULT_GATE_OPTIONS, type GateOptions } from './options.js';

export interface SubjectComparison {
  name: string;
  os: string;
  base: SubjectResult;
  head: SubjectResult;
  /** the gate's verdict for this subject (wall-clock, or failures) */
  state: VerdictState;
  reason: string;
  /** what decided `state`, with the settings it was decided with */
  decision: Decision;
  /** start → ready, the gated metric; null when either side has no successful boot */
  boot: Verdict | null;
  /** start → first HTTP 200: reported, not gated */
  http: Verdict | null;
  /** deterministic mode: gated on its own threshold */
  instructions: InstructionVerdict | null;
  modules: ModuleDelta[];
  /** deterministic boots with per-module counts: biggest change first, the unattributed rest last */
  moduleInstructions: ModuleInstructionDelta[];
  /** head boots that failed while base boots did not */
  headFailures: BootRecord[];
  imageDelta: { text: number; data: number; bss: number } | null;
  /** the options this subject was judged with (global ones with its own thresholds over them) */
  options: GateOptions;
  /** '5 %' or '20 ms': the wall-clock threshold used for this subject */
  threshold: string;
  /** where the time went: median per boot phase, base vs head */
  phases: PhaseDelta[];
  /** change of spread or shape of the boot times, the shift taken out (KS): reported, not gated */
  spread: SpreadChange | null;
  /** modules slower by at least `moduleThresholdMs` (a verdict line of their own) */
  moduleRegressions: ModuleVerdict[];
  /** the sequential look this verdict was taken at, when the gate booted adaptively */
  sequential: (SequentialPlan & { look: number; pLevel: number; ciLevel: number }) | null;
}

const okValues = (r: SubjectResult, pick: (b: BootRecord) => number | null): number[] =>
  r.boots
    .filter((b) => b.ok)
    .map(pick)
    .filter((v): v is number => v !== null);

function safeDecide(
  base: number[],
  head: number[],
  options: GateOptions,
  levels?: { pLevel: number; ciLevel: number },
): Verdict | null {
  if (base.length === 0 || head.length === 0) return null;
  return decide(base, head, {
    alpha: options.alpha,
    thresholdPct: options.thresholdPct,
    thresholdMs: options.thresholdMs,
    ...levels,
  });
}

function decision(
  by: DecidedBy,
  base: SubjectResult,
  head: SubjectResult,
  options: GateOptions,
  facts: { boot?: Verdict | null; sequential?: SubjectComparison['sequential']; slowModules?: number },
): Decision {
  const { boot = null, sequential = null, slowModules = 0 } = facts;
  return {
    by,
    test: DECISION_TEST[by],
    notBuilt: base.notBuilt && head.notBuilt ? 'both' : head.notBuilt ? 'head' : base.notBuilt ? 'base' : null,
    identicalImage: by === 'identical image' ? (head.identicalImage ?? null) : null,
    threshold: {
      text: describeThreshold(options),
      ms: options.thresholdMs ?? null,
      pctOfBase:
        boot && Number.isFinite(boot.thresholdPct)
          ? boot.thresholdPct
          : options.thresholdMs === undefined
            ? options.thresholdPct
            : null,
    },
    instructionsThresholdPct: base.deterministic || head.deterministic ? options.instructionsThresholdPct : null,
    alpha: options.alpha,
    boots: {
      base: base.boots.length,
      head: head.boots.length,
      warmup: base.warmup.length + head.warmup.length,
      baseFailed: base.boots.filter((b) => !b.ok).length,
      headFailed: head.boots.filter((b) => !b.ok).length,
    },
    mode: sequential && sequential.maxPerSide > sequential.looks[0]! ? 'adaptive' : 'fixed',
    moduleThreshold:
      options.moduleThresholdMs !== undefined ? { ms: options.moduleThresholdMs, slower: slowModules } : null,
  };
}

/**
 * A side that could not be built decides the subject before any statistics: head not built where
 * base was is a regression; base not built where head was is the build being fixed (reported as an
 * improvement: not a regression, and worth a comment); built on neither side, nothing is decided.
 */
function compareNotBuilt(base: SubjectResult, head: SubjectResult, options: GateOptions): SubjectComparison | null {
  if (!base.notBuilt && !head.notBuilt) return null;
  let state: VerdictState;
  let reason: string;
  if (base.notBuilt && head.notBuilt) {
    state = 'inconclusive';
    reason = `does not build on base nor on head (head: ${head.notBuilt.reason})`;
  } else if (head.notBuilt) {
    state = 'regression';
    reason = `head does not build (base does): ${head.notBuilt.reason}`;
  } else if (head.boots.some((b) => b.ok)) {
    state = 'improvement';
    reason = `base does not build, head does (${base.notBuilt!.reason}); nothing to compare the head's boots with`;
  } else {
    state = 'inconclusive';
    reason = `base does not build (${base.notBuilt!.reason}); head builds but none of its ${head.boots.length} boots succeeded`;
  }
  return {
    name: head.name,
    os: head.os,
    base,
    head,
    state,
    reason,
    decision: decision('not built', base, head, options, {}),
    boot: null,
    http: null,
    instructions: null,
    modules: [],
    moduleInstructions: [],
    headFailures: [],
    imageDelta: null,
    options,
    threshold: describeThreshold(options),
    sequential: null,
    spread: null,
    moduleRegressions: [],
    phases: [],
  };
}

export function compareSubject(
  base: SubjectResult,
  head: SubjectResult,
  options: GateOptions = DEFAULT_GATE_OPTIONS,
): SubjectComparison {
  const notBuilt = compareNotBuilt(base, head, options);
  if (notBuilt) return notBuilt;
  // Boots taken adaptively are judged at the levels of their last look (docs/statistics.md).
  const plan = head.sequential ?? null;
  const sequential = plan ? { ...plan, ...lookLevelsFor(plan, options.alpha) } : null;
  const levels = sequential ? { pLevel: sequential.pLevel, ciLevel: sequential.ciLevel } : undefined;
  const baseMs = okValues(base, (x) => x.bootMs);
  const headMs = okValues(head, (x) => x.bootMs);
  const boot = safeDecide(baseMs, headMs, options, levels);
  const spread =
    baseMs.length >= MIN_BOOTS_PER_SIDE && headMs.length >= MIN_BOOTS_PER_SIDE ? spreadChange(baseMs, headMs) : null;
  const identical = Boolean(head.identicalImage && base.identicalImage);
  const slowModules =
    options.moduleThresholdMs !== undefined && !identical
      ? moduleRegressions(base.boots, head.boots, options.moduleThresholdMs, options.alpha)
      : [];
  const http = safeDecide(
    okValues(base, (x) => x.httpMs),
    okValues(head, (x) => x.httpMs),
    options,
  );
  const deterministic = base.deterministic || head.deterministic;
  const instructions = deterministic
    ? decideInstructions(
        base.boots.filter((b) => b.ok).map((b) => b.instructions),
        head.boots.filter((b) => b.ok).map((b) => b.instructions),
        options.instructionsThresholdPct,
      )
    : null;
  const baseFailed = base.boots.filter((b) => !b.ok).length;
  const headFailures = head.boots.filter((b) => !b.ok);
  const bs = base.image?.sizes;
  const hs = head.image?.sizes;
  const imageDelta = bs && hs ? { text: hs.text - bs.text, data: hs.data - bs.data, bss: hs.bss - bs.bss } : null;

  let by: DecidedBy;
  let state: VerdictState;
  let reason: string;
  if (identical) {
    by = 'identical image';
    state = 'no change';
    reason = `identical image (${head.identicalImage}): nothing to boot, nothing can differ`;
  } else if (headFailures.length > 0 && baseFailed === 0) {
    by = 'head boot failures';
    state = 'regression';
    reason = `${headFailures.length} of ${head.boots.length} head boots failed while every base boot succeeded`;
  } else if (deterministic && instructions) {
    // Exact counts decide; wall-clock under -icount is not a boot time.
    by = 'instructions';
    state = instructions.state;
    reason = instructions.reason;
  } else if (boot) {
    by = 'boot time';
    state = boot.state;
    reason = boot.reason;
  } else {
    by = 'no successful boots';
    state = 'inconclusive';
    reason = 'no successful boots on one side';
  }
  if (slowModules.length > 0) {
    const list = slowModules
      .slice(0, 3)
      .map((m) => `${m.name} +${m.verdict.shiftMs.toFixed(1)} ms`)
      .join(', ');
    reason = `${state === 'regression' ? `${reason}; also ` : ''}${slowModules.length} module(s) slower by ${options.moduleThresholdMs} ms or more: ${list}${state === 'regression' ? '' : ` (start → ready: ${state})`}`;
    state = 'regression';
  }
  return {
    name: head.name,
    os: head.os,
    base,
    head,
    state,
    reason,
    decision: decision(by, base, head, options, { boot, sequential, slowModules: slowModules.length }),
    boot,
    http,
    instructions,
    modules: moduleDeltas(base, head),
    moduleInstructions: moduleInstructionDeltas(base, head),
    headFailures,
    imageDelta,
    options,
    threshold: describeThreshold(options),
    sequential,
    spread,
    moduleRegressions: slowModules,
    phases: phaseDeltas(base, head),
  };
}

function lookLevelsFor(plan: SequentialPlan, alpha: number): { look: number; pLevel: number; ciLevel: number } {
  const { p, ciLevel, look } = lookLevels(plan, alpha);
  return { look, pLevel: p, ciLevel };
}
