// Where base and head differ below the verdict: module init times, boot phases, and (deterministic
// boots) module instructions, each as a median per side. Module medians come from the subjects'
// summaries (src/measure/summary.ts), computed once when the boots were recorded.
import { summarize } from '../stats/descriptive.js';
import type { SubjectResult } from '../measure/results.js';

export interface ModuleDelta {
  name: string;
  baseMs: number | null;
  headMs: number | null;
  deltaMs: number;
}

export interface PhaseDelta {
  name: string;
  baseMs: number | null;
  headMs: number | null;
  /** head − base of the medians; a phase on one side only counts as 0 on the other */
  deltaMs: number;
}

/** Deterministic boots: a module's median instructions on each side; `module: null` is the rest outside every module. */
export interface ModuleInstructionDelta {
  module: string | null;
  base: number | null;
  head: number | null;
  delta: number;
}

/** Median init time per module, base vs head, biggest change first. */
export function moduleDeltas(base: SubjectResult, head: SubjectResult): ModuleDelta[] {
  const b = new Map(base.summary.modules.map((m) => [m.name, m.medianMs]));
  const h = new Map(head.summary.modules.map((m) => [m.name, m.medianMs]));
  const names = new Set([...b.keys(), ...h.keys()]);
  return [...names]
    .map((name) => ({
      name,
      baseMs: b.get(name) ?? null,
      headMs: h.get(name) ?? null,
      deltaMs: (h.get(name) ?? 0) - (b.get(name) ?? 0),
    }))
    .sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs));
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
  return names.map((name) => ({
    name,
    baseMs: b.get(name) ?? null,
    headMs: h.get(name) ?? null,
    deltaMs: (h.get(name) ?? 0) - (b.get(name) ?? 0),
  }));
}

export function moduleInstructionDeltas(base: SubjectResult, head: SubjectResult): ModuleInstructionDelta[] {
  const b = new Map((base.summary.moduleInstructions ?? []).map((m) => [m.name, m.medianInstructions]));
  const h = new Map((head.summary.moduleInstructions ?? []).map((m) => [m.name, m.medianInstructions]));
  if (b.size === 0 && h.size === 0) return [];
  const rows: ModuleInstructionDelta[] = [...new Set([...b.keys(), ...h.keys()])]
    .map((module) => ({
      module,
      base: b.get(module) ?? null,
      head: h.get(module) ?? null,
      delta: (h.get(module) ?? 0) - (b.get(module) ?? 0),
    }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  const restBase = base.summary.unattributedInstructions ?? null;
  const restHead = head.summary.unattributedInstructions ?? null;
  rows.push({ module: null, base: restBase, head: restHead, delta: (restHead ?? 0) - (restBase ?? 0) });
  return rows;
}
