// Where a boot's time went, in order: start → first module, module init, last module → the start
// script, each start-script command the guest echoes (Embox prints `>command` before running it),
// up to the ready marker, then ready → first HTTP 200. The phases add up to start → HTTP 200, so a
// regression that is in no module (a start-script wait) still has a place.
import type { SerialLine } from '../boot/serial.js';

export interface PhaseTime {
  name: string;
  ms: number;
}

/** Embox's shell echoes each start-script command as `>command`. */
export const COMMAND_ECHO = /^>\s*(\S.*?)\s*$/;

export const PHASE_TO_FIRST_MODULE = 'start → first module';
export const PHASE_MODULES = 'module init (all modules)';
export const PHASE_TO_SCRIPT = 'last module → start script';
export const PHASE_TO_READY = 'last module → ready';
export const PHASE_HTTP = 'ready → first HTTP 200';

export function bootPhases(
  lines: readonly SerialLine[],
  moduleMarker: string | null,
  startAt: bigint | null,
  readyAt: bigint | null,
  httpAt: bigint | null,
): PhaseTime[] {
  if (startAt === null || readyAt === null) return [];
  const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;
  const window = lines.filter((l) => l.at >= startAt && l.at <= readyAt);
  const phases: PhaseTime[] = [];
  let cursor = startAt;
  if (moduleMarker) {
    const re = new RegExp(moduleMarker);
    const marks = window.map((l, i) => (re.test(l.text) ? i : -1)).filter((i) => i >= 0);
    if (marks.length > 0) {
      const first = window[marks[0]!]!.at;
      // the last module ends at the next line of any kind (as in the module breakdown)
      const end = window[marks[marks.length - 1]! + 1]?.at ?? readyAt;
      phases.push({ name: PHASE_TO_FIRST_MODULE, ms: ms(startAt, first) });
      phases.push({ name: PHASE_MODULES, ms: ms(first, end) });
      cursor = end;
    }
  }
  const commands = window.filter((l) => l.at >= cursor && COMMAND_ECHO.test(l.text));
  if (commands.length === 0) {
    phases.push({ name: cursor === startAt ? 'start → ready' : PHASE_TO_READY, ms: ms(cursor, readyAt) });
  } else {
    phases.push({ name: PHASE_TO_SCRIPT, ms: ms(cursor, commands[0]!.at) });
    const seen = new Map<string, number>();
    commands.forEach((line, k) => {
      const command = COMMAND_ECHO.exec(line.text)![1]!;
      // the same command twice gets a number, so each keeps its own time
      const count = (seen.get(command) ?? 0) + 1;
      seen.set(command, count);
      const end = commands[k + 1]?.at ?? readyAt;
      phases.push({ name: `script: ${command}${count > 1 ? ` (#${count})` : ''}`, ms: ms(line.at, end) });
    });
  }
  if (httpAt !== null && httpAt >= readyAt) phases.push({ name: PHASE_HTTP, ms: ms(readyAt, httpAt) });
  return phases;
}
