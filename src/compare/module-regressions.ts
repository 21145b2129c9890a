// Per-module threshold ("any module +10 ms"): each module's init times, base vs head, judged with
// the gate's own verdict at a Bonferroni-corrected alpha (alpha / modules compared), so a hundred
// modules do not make a hundred chances of a false alarm.
import type { BootRecord } from '../measure/results.js';
import { decide, MIN_BOOTS_PER_SIDE, type Verdict } from '../stats/verdict.js';

export interface ModuleVerdict {
  name: string;
  verdict: Verdict;
}

function perModule(boots: readonly BootRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const b of boots) {
    if (!b.ok) continue;
    for (const m of b.modules) {
      // deterministic boots count instructions, not milliseconds
      if (m.ms === null) continue;
      const list = out.get(m.name);
      if (list) list.push(m.ms);
      else out.set(m.name, [m.ms]);
    }
  }
  return out;
}

/** Modules whose init time regressed by the threshold (ms), slowest change first. */
export function moduleRegressions(
  base: readonly BootRecord[],
  head: readonly BootRecord[],
  thresholdMs: number,
  alpha: number,
): ModuleVerdict[] {
  const b = perModule(base);
  const h = perModule(head);
  const names = [...b.keys()].filter(
    (name) => (b.get(name)?.length ?? 0) >= MIN_BOOTS_PER_SIDE && (h.get(name)?.length ?? 0) >= MIN_BOOTS_PER_SIDE,
  );
  if (names.length === 0) return [];
  const level = alpha / names.length;
  const out: ModuleVerdict[] = [];
  for (const name of names) {
    const baseMs = b.get(name)!;
    // a module that takes (almost) no time has no median to be relative to: judge in ms against 1 µs
    const verdict = decide(
      baseMs.map((x) => Math.max(x, 1e-3)),
      h.get(name)!.map((x) => Math.max(x, 1e-3)),
      { alpha: level, thresholdPct: 100, thresholdMs },
    );
    if (verdict.state === 'regression') out.push({ name, verdict });
  }
  return out.sort((x, y) => y.verdict.shiftMs - x.verdict.shiftMs);
}
