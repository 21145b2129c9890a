// Base-vs-head comparison of two results documents, subject by subject: the numbers the
// verdict and the report are made of. Pure: no I/O.
import type { BootRecord, SubjectResult } from '../measure/results.js';
import { summarize } from './descriptive.js';
import { decideInstructions, type InstructionVerdict } from './instructions.js';
import { combineVerdicts, decide, DEFAULT_VERDICT_OPTIONS, type Verdict, type VerdictState } from './verdict.js';

export interface GateOptions {
  alpha: number;
  thresholdPct: number;
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

function safeDecide(base: number[], head: number[], options: GateOptions): Verdict | null {
  if (base.length === 0 || head.length === 0) return null;
  return decide(base, head, { alpha: options.alpha, thresholdPct: options.thresholdPct });
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

export function compareSubject(base: SubjectResult, head: SubjectResult, options: GateOptions = DEFAULT_GATE_OPTIONS): SubjectComparison {
  const boot = safeDecide(okValues(base, (x) => x.bootMs), okValues(head, (x) => x.bootMs), options);
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
  if (headFailures.length > 0 && baseFailed === 0) {
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
  return { name: head.name, os: head.os, base, head, state, reason, boot, http, instructions, modules: moduleDeltas(base, head), moduleInstructions: moduleInstructionDeltas(base, head), headFailures, imageDelta };
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
    if (b) subjects.push(compareSubject(b, h, { ...options, ...options.perSubject?.[h.name] }));
    else unmatched.push(h.name);
  }
  for (const b of base) if (!head.some((h) => h.name === b.name)) unmatched.push(b.name);
  const state = subjects.length === 0 ? 'inconclusive' : combineVerdicts(subjects.map((s) => s.state));
  return { state, options, subjects, unmatched };
}
