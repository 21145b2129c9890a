import { summarize } from '../stats/index.js';
import type { BootRecord, SubjectSummary } from './results.js';

/** Summary over the counted boots; failed boots are counted, never dropped silently. */
export function summarizeSubject(boots: readonly BootRecord[]): SubjectSummary {
  const ok = boots.filter((b) => b.ok);
  const values = (pick: (b: BootRecord) => number | null): number[] =>
    ok.map(pick).filter((v): v is number => v !== null);
  const boot = summarize(values((b) => b.bootMs));
  const perModule = new Map<string, number[]>();
  for (const b of ok) {
    for (const m of b.modules) {
      const list = perModule.get(m.name);
      if (list) list.push(m.ms);
      else perModule.set(m.name, [m.ms]);
    }
  }
  const modules = [...perModule]
    .map(([name, ms]) => ({ name, medianMs: summarize(ms)!.median, n: ms.length }))
    .sort((a, b) => b.medianMs - a.medianMs);
  return {
    ...(boot ?? {}),
    n: ok.length,
    total: boots.length,
    failed: boots.length - ok.length,
    http: summarize(values((b) => b.httpMs)),
    instructions: summarize(values((b) => b.instructions)),
    modules,
  };
}
