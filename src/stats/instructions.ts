// Verdict on guest instruction counts from deterministic (-icount) boots. The counts are exact, so
// no statistics: a difference is a difference, judged only against a (small) relative threshold.
import { median } from 'simple-statistics';
import type { VerdictState } from './verdict.js';

export interface InstructionVerdict {
  state: VerdictState;
  base: number | null;
  head: number | null;
  /** head − base. */
  delta: number | null;
  /** 100 · delta / base. */
  pct: number | null;
  reason: string;
}

/** One side's count: the common value, or the median (with a note) when the boots disagree. */
function sideCount(values: readonly (number | null)[], side: string): { count: number | null; notes: string[] } {
  const present: number[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    if (!Number.isFinite(v))
      throw new RangeError(`decideInstructions (${side}): expected finite counts or null, got ${v} at index ${i}`);
    present.push(v);
  });
  const notes: string[] = [];
  if (present.length === 0) return { count: null, notes };
  const missing = values.length - present.length;
  if (missing > 0) notes.push(`${missing} of ${values.length} ${side} boots had no count`);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  if (lo !== hi) {
    notes.push(
      `${side} counts differ between boots (${lo} … ${hi}), so the median was used; the guest is not fully deterministic`,
    );
  }
  return { count: median(present), notes };
}

export function decideInstructions(
  base: readonly (number | null)[],
  head: readonly (number | null)[],
  thresholdPct = 1,
): InstructionVerdict {
  if (!(thresholdPct > 0) || !Number.isFinite(thresholdPct)) {
    throw new RangeError(`decideInstructions: thresholdPct must be a positive finite number, got ${thresholdPct}`);
  }
  const b = sideCount(base, 'base');
  const h = sideCount(head, 'head');
  const notes = [...b.notes, ...h.notes];
  const suffix = notes.length > 0 ? `; ${notes.join('; ')}` : '';

  if (b.count === null || h.count === null) {
    const missing = [b.count === null ? 'base' : null, h.count === null ? 'head' : null].filter(Boolean).join(' and ');
    return {
      state: 'inconclusive',
      base: b.count,
      head: h.count,
      delta: null,
      pct: null,
      reason: `no instruction count for ${missing}${suffix}`,
    };
  }
  const delta = h.count - b.count;
  if (b.count <= 0) {
    return {
      state: 'inconclusive',
      base: b.count,
      head: h.count,
      delta,
      pct: null,
      reason: `base instruction count is ${b.count}, cannot express a percentage${suffix}`,
    };
  }
  const pct = (100 * delta) / b.count;
  const summary = `${h.count} vs ${b.count} instructions (${delta >= 0 ? '+' : ''}${delta}, ${pct >= 0 ? '+' : ''}${pct.toFixed(2)} %)`;
  let state: VerdictState;
  let reason: string;
  if (pct >= thresholdPct) {
    state = 'regression';
    reason = `head executes ${summary}, at or above the ${thresholdPct} % threshold`;
  } else if (pct <= -thresholdPct) {
    state = 'improvement';
    reason = `head executes ${summary}, at or beyond −${thresholdPct} %`;
  } else {
    state = 'no change';
    reason = `head executes ${summary}, within ±${thresholdPct} %`;
  }
  return { state, base: b.count, head: h.count, delta, pct, reason: reason + suffix };
}
