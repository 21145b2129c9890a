// The gate's options: the global ones, and each subject's own thresholds over them.
import { DEFAULT_VERDICT_OPTIONS } from '../stats/verdict.js';

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

/** A subject's own thresholds over the global ones; an own threshold in % drops a global one in ms. */
export function subjectOptions(options: GateOptions, name: string): GateOptions {
  const own = options.perSubject?.[name] ?? {};
  const merged: GateOptions = { ...options, ...own };
  if (own.thresholdPct !== undefined && own.thresholdMs === undefined) delete merged.thresholdMs;
  delete merged.perSubject;
  return merged;
}
