import { madOutliers, summarize } from '../stats/index.js';
import { unattributedInstructions } from './modules.js';
import type { BootRecord, SubjectSummary } from './results.js';

/** Summary over the counted boots; failed boots are counted, never dropped silently. */
export function summarizeSubject(boots: readonly BootRecord[]): SubjectSummary {
  const ok = boots.filter((b) => b.ok);
  const values = (pick: (b: BootRecord) => number | null): number[] =>
    ok.map(pick).filter((v): v is number => v !== null);
  const boot = summarize(values((b) => b.bootMs));
  const perModule = new Map<string, number[]>();
  const perModuleInstructions = new Map<string, number[]>();
  const add = (into: Map<string, number[]>, name: string, value: number): void => {
    const list = into.get(name);
    if (list) list.push(value);
    else into.set(name, [value]);
  };
  for (const b of ok) {
    for (const m of b.modules) {
      if (m.ms !== null) add(perModule, m.name, m.ms);
      if (m.instructions !== undefined) add(perModuleInstructions, m.name, m.instructions);
    }
  }
  const modules = [...perModule]
    .map(([name, ms]) => ({ name, medianMs: summarize(ms)!.median, n: ms.length }))
    .sort((a, b) => b.medianMs - a.medianMs);
  const counted =
    perModuleInstructions.size > 0
      ? {
          moduleInstructions: [...perModuleInstructions]
            .map(([name, counts]) => ({ name, medianInstructions: summarize(counts)!.median, n: counts.length }))
            .sort((a, b) => b.medianInstructions - a.medianInstructions),
          unattributedInstructions:
            summarize(ok.map(unattributedInstructions).filter((v): v is number => v !== null))?.median ?? null,
        }
      : {};
  return {
    ...counted,
    ...(boot ?? {}),
    n: ok.length,
    total: boots.length,
    failed: boots.length - ok.length,
    http: summarize(values((b) => b.httpMs)),
    instructions: summarize(values((b) => b.instructions)),
    modules,
  };
}

/**
 * Counted boots whose boot time is an outlier by median/MAD (docs/statistics.md), in boot order:
 * flagged for the reader (a busy host), never removed: the statistics are rank-based anyway.
 */
export function outlierBoots(boots: readonly BootRecord[]): BootRecord[] {
  const ok = boots.filter((b) => b.ok && b.bootMs !== null && Number.isFinite(b.bootMs));
  return madOutliers(ok.map((b) => b.bootMs!)).map((i) => ok[i]!);
}
