import type { SerialLine } from '../boot/serial.js';

export interface ModuleTime {
  name: string;
  /** init time from the serial lines; null in a deterministic boot (its serial times mean nothing) */
  ms: number | null;
  /** deterministic boots: guest instructions the module's init took (docs/deterministic.md) */
  instructions?: number;
}

/** A deterministic boot's rest: instructions start → ready that no module's init took. */
export function unattributedInstructions(boot: {
  instructions: number | null;
  modules: readonly ModuleTime[];
}): number | null {
  const counted = boot.modules.filter((m) => m.instructions !== undefined);
  if (boot.instructions === null || counted.length === 0) return null;
  return boot.instructions - counted.reduce((sum, m) => sum + m.instructions!, 0);
}

/**
 * Per-module init time from `(unit) initializing <module>` lines, as the study did: a module's
 * time runs from its line to the next module line (so what a module prints while it
 * initialises stays its own), and for the last module to the next line of any kind.
 * A module initialised twice in one boot gets the sum.
 */
export function moduleBreakdown(
  lines: readonly SerialLine[],
  moduleMarker: string | null,
  from: bigint | null,
  until: bigint | null,
): (ModuleTime & { ms: number })[] {
  if (!moduleMarker || from === null) return [];
  const re = new RegExp(moduleMarker);
  const window = lines.filter((l) => l.at >= from && (until === null || l.at <= until));
  const marks: { index: number; name: string }[] = [];
  window.forEach((line, index) => {
    // a boot's lines were matched off the main thread already (see boot/marker-matcher.ts)
    if (line.module !== undefined) {
      if (line.module !== null) marks.push({ index, name: line.module });
      return;
    }
    const match = re.exec(line.text);
    if (match) marks.push({ index, name: match[1] ?? match[0] });
  });
  const totals = new Map<string, number>();
  marks.forEach((mark, k) => {
    const next = marks[k + 1];
    const end = next ? window[next.index] : window[mark.index + 1];
    if (!end) return; // the boot ended on this line: no time can be attributed
    const ms = Number(end.at - window[mark.index]!.at) / 1e6;
    totals.set(mark.name, (totals.get(mark.name) ?? 0) + ms);
  });
  return [...totals].map(([name, ms]) => ({ name, ms }));
}
