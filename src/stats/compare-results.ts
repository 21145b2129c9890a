// Base-vs-head comparison of two results documents, subject by subject: the numbers the
// verdict and the report are made of. Pure: no I/O.
import type { BootRecord, SubjectResult } from '../measure/results.js';
import { summarize } from './descriptive.js';
import { decideInstructions, type InstructionVerdict } from './instructions.js';
import { spreadChange, type SpreadChange } from './kolmogorov-smirnov.js';
import { moduleRegressions, type ModuleVerdict } from './module-verdicts.js';
import { lookLevels, type SequentialPlan } from './sequential.js';
import { combineVerdicts, decide, DEFAULT_VERDICT_OPTIONS, describeThreshold, MIN_BOOTS_PER_SIDE, type Verdict, type VerdictState } from './verdict.js';

export interface GateOptions {
  alpha: number;
  thresholdPct: number;
  /** threshold in ms; when set it replaces thresholdPct */
  thresholdMs?: number;
  /** any module slower by at least this many ms is a regression line of its own */
  moduleThresholdMs?: number;
  instructionsThresholdPct: number;
  /** per-subject thresholds from the config, by subject name */
  perSubject?: Record<string, Partial<Omit<GateOptions, 'perSubject'>>>;
}

export const DEFAULT_GATE_OPTIONS: GateOptions = { ...DEFAULT_VERDICT_OPTIONS, instructionsThresholdPct: 1 };

export interface ModuleDelta {
  name: string;
  baseMs: number | null;
  headMs: number | null;
  deltaMs: number;
}

/** Deterministic boots: a module's median instructions on each side; `module: null` is the rest outside every module. */
export interface ModuleInstructionDelta {
  module: string | null;
  base: number | null;
  head: number | null;
  delta: number;
}

export interface SubjectComparison {
  name: string;
  os: string;
  base: SubjectResult;
  head: SubjectResult;
  /** the gate's verdict for this subject (wall-clock, or failures) */
  state: VerdictState;
  reason: string;
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

export interface Comparison {
  state: VerdictState;
  options: GateOptions;
  subjects: SubjectComparison[];
  /** subjects present on one side only */
  unmatched: string[];
}

const okValues = (r: SubjectResult, pick: (b: BootRecord) => number | null): number[] =>
  r.boots.filter((b) => b.ok).map(pick).filter((v): v is number => v !== null);

function safeDecide(base: number[], head: number[], options: GateOptions, levels?: { pLevel: number; ciLevel: number }): Verdict | null {
  if (base.length === 0 || head.length === 0) return null;
  return decide(base, head, { alpha: options.alpha, thresholdPct: options.thresholdPct, thresholdMs: options.thresholdMs, ...levels });
}

/** A subject's own thresholds over the global ones; an own threshold in % drops a global one in ms. */
export function subjectOptions(options: GateOptions, name: string): GateOptions {
  const own = options.perSubject?.[name] ?? {};
  const merged: GateOptions = { ...options, ...own };
  if (own.thresholdPct !== undefined && own.thresholdMs === undefined) delete merged.thresholdMs;
  delete merged.perSubject;
  return merged;
}

export function moduleDeltas(base: SubjectResult, head: SubjectResult): ModuleDelta[] {
  const medians = (r: SubjectResult): Map<string, number> => {
    const per = new Map<string, number[]>();
    for (const b of r.boots) {
      if (!b.ok) continue;
      for (const m of b.modules) {
        const list = per.get(m.name);
        if (m.ms === null) continue;
        if (list) list.push(m.ms);
        else per.set(m.name, [m.ms]);
      }
    }
    return new Map([...per].map(([name, ms]) => [name, summarize(ms)!.median]));
  };
  const b = medians(base);
  const h = medians(head);
  const names = new Set([...b.keys(), ...h.keys()]);
  return [...names]
    .map((name) => ({ name, baseMs: b.get(name) ?? null, headMs: h.get(name) ?? null, deltaMs: (h.get(name) ?? 0) - (b.get(name) ?? 0) }))
    .sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs));
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
    name: head.name, os: head.os, base, head, state, reason, boot: null, http: null, instructions: null, modules: [], moduleInstructions: [], headFailures: [], imageDelta: null,
    options, threshold: describeThreshold(options), sequential: null, spread: null, moduleRegressions: [], phases: [],
  };
}

export interface PhaseDelta {
  name: string;
  baseMs: number | null;
  headMs: number | null;
  /** head − base of the medians; a phase on one side only counts as 0 on the other */
  deltaMs: number;
}

/** Median time per boot phase, base vs head, in boot order (head's order, then base-only phases). */
export function phaseDeltas(base: SubjectResult, head: SubjectResult): PhaseDelta[] {
  const medians = (r: SubjectResult): Map<string, number> => {
    const per = new Map<string, number[]>();
    for (const b of r.boots) {
      if (!b.ok) continue;
      for (const p of b.phases ?? []) {
        const list = per.get(p.name);
        if (list) list.push(p.ms);
        else per.set(p.name, [p.ms]);
      }
    }
    return new Map([...per].map(([name, ms]) => [name, summarize(ms)!.median]));
  };
  const b = medians(base);
  const h = medians(head);
  const names = [...new Set([...h.keys(), ...b.keys()])];
  return names.map((name) => ({ name, baseMs: b.get(name) ?? null, headMs: h.get(name) ?? null, deltaMs: (h.get(name) ?? 0) - (b.get(name) ?? 0) }));
}

export function compareSubject(base: SubjectResult, head: SubjectResult, options: GateOptions = DEFAULT_GATE_OPTIONS): SubjectComparison {
  const notBuilt = compareNotBuilt(base, head, options);
  if (notBuilt) return notBuilt;
  // Boots taken adaptively are judged at the levels of their last look (docs/statistics.md).
  const plan = head.sequential ?? null;
  const sequential = plan ? { ...plan, ...lookLevelsFor(plan, options.alpha) } : null;
  const levels = sequential ? { pLevel: sequential.pLevel, ciLevel: sequential.ciLevel } : undefined;
  const baseMs = okValues(base, (x) => x.bootMs);
  const headMs = okValues(head, (x) => x.bootMs);
  const boot = safeDecide(baseMs, headMs, options, levels);
  const spread = baseMs.length >= MIN_BOOTS_PER_SIDE && headMs.length >= MIN_BOOTS_PER_SIDE ? spreadChange(baseMs, headMs) : null;
  const slowModules = options.moduleThresholdMs !== undefined ? moduleRegressions(base.boots, head.boots, options.moduleThresholdMs, options.alpha) : [];
  const http = safeDecide(okValues(base, (x) => x.httpMs), okValues(head, (x) => x.httpMs), options);
  const deterministic = base.deterministic || head.deterministic;
  const instructions = deterministic
    ? decideInstructions(base.boots.filter((b) => b.ok).map((b) => b.instructions), head.boots.filter((b) => b.ok).map((b) => b.instructions), options.instructionsThresholdPct)
    : null;
  const baseFailed = base.boots.filter((b) => !b.ok).length;
  const headFailures = head.boots.filter((b) => !b.ok);
  const bs = base.image?.sizes;
  const hs = head.image?.sizes;
  const imageDelta = bs && hs ? { text: hs.text - bs.text, data: hs.data - bs.data, bss: hs.bss - bs.bss } : null;

  let state: VerdictState;
  let reason: string;
  if (head.identicalImage && base.identicalImage) {
    state = 'no change';
    reason = `identical image (${head.identicalImage}): nothing to boot, nothing can differ`;
  } else if (headFailures.length > 0 && baseFailed === 0) {
    state = 'regression';
    reason = `${headFailures.length} of ${head.boots.length} head boots failed while every base boot succeeded`;
  } else if (deterministic && instructions) {
    // Exact counts decide; wall-clock under -icount is not a boot time.
    state = instructions.state;
    reason = instructions.reason;
  } else if (boot) {
    state = boot.state;
    reason = boot.reason;
  } else {
    state = 'inconclusive';
    reason = 'no successful boots on one side';
  }
  if (slowModules.length > 0 && !(head.identicalImage && base.identicalImage)) {
    const list = slowModules.slice(0, 3).map((m) => `${m.name} +${m.verdict.shiftMs.toFixed(1)} ms`).join(', ');
    reason = `${state === 'regression' ? `${reason}; also ` : ''}${slowModules.length} module(s) slower by ${options.moduleThresholdMs} ms or more: ${list}${state === 'regression' ? '' : ` (start → ready: ${state})`}`;
    state = 'regression';
  }
  return {
    name: head.name, os: head.os, base, head, state, reason, boot, http, instructions, modules: moduleDeltas(base, head), moduleInstructions: moduleInstructionDeltas(base, head), headFailures, imageDelta,
    options, threshold: describeThreshold(options), sequential, spread, moduleRegressions: slowModules, phases: phaseDeltas(base, head),
  };
}

function lookLevelsFor(plan: SequentialPlan, alpha: number): { look: number; pLevel: number; ciLevel: number } {
  const { p, ciLevel, look } = lookLevels(plan, alpha);
  return { look, pLevel: p, ciLevel };
}

export function moduleInstructionDeltas(base: SubjectResult, head: SubjectResult): ModuleInstructionDelta[] {
  const b = new Map((base.summary.moduleInstructions ?? []).map((m) => [m.name, m.medianInstructions]));
  const h = new Map((head.summary.moduleInstructions ?? []).map((m) => [m.name, m.medianInstructions]));
  if (b.size === 0 && h.size === 0) return [];
  const rows: ModuleInstructionDelta[] = [...new Set([...b.keys(), ...h.keys()])]
    .map((module) => ({ module, base: b.get(module) ?? null, head: h.get(module) ?? null, delta: (h.get(module) ?? 0) - (b.get(module) ?? 0) }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  const restBase = base.summary.unattributedInstructions ?? null;
  const restHead = head.summary.unattributedInstructions ?? null;
  rows.push({ module: null, base: restBase, head: restHead, delta: (restHead ?? 0) - (restBase ?? 0) });
  return rows;
}

/** Pairs subjects by name and decides each; the overall state follows combineVerdicts. */
export function compareResults(base: readonly SubjectResult[], head: readonly SubjectResult[], options: GateOptions = DEFAULT_GATE_OPTIONS): Comparison {
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
