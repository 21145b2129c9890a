// The gate's options for every subject: the global ones (flags or action inputs) with each
// subject's own thresholds from the config over them. The one place the CLI and the action build them.
import type { Subject } from '../config/subjects.js';
import { parseModuleThresholdOrNull, parseThresholdOrNull, type Threshold } from '../config/threshold.js';
import { DEFAULT_GATE_OPTIONS, type GateOptions } from '../compare/index.js';

/** The global settings, parsed and checked by the caller (flags or action inputs). */
export interface GlobalGateSettings {
  alpha?: number;
  threshold?: Threshold;
  moduleThresholdMs?: number | null;
  instructionsThresholdPct?: number;
}

/** Gate options: the global settings (defaults for what is not given), with per-subject thresholds from the config. */
export function gateOptions(global: GlobalGateSettings, subjects: readonly Subject[]): GateOptions {
  const moduleThresholdMs = global.moduleThresholdMs ?? undefined;
  return {
    alpha: global.alpha ?? DEFAULT_GATE_OPTIONS.alpha,
    thresholdPct: global.threshold?.thresholdPct ?? DEFAULT_GATE_OPTIONS.thresholdPct,
    thresholdMs: global.threshold?.thresholdMs,
    ...(moduleThresholdMs !== undefined ? { moduleThresholdMs } : {}),
    instructionsThresholdPct: global.instructionsThresholdPct ?? DEFAULT_GATE_OPTIONS.instructionsThresholdPct,
    perSubject: perSubjectOptions(subjects),
  };
}

function perSubjectOptions(subjects: readonly Subject[]): NonNullable<GateOptions['perSubject']> {
  const perSubject: NonNullable<GateOptions['perSubject']> = {};
  for (const s of subjects) {
    const own: Partial<Omit<GateOptions, 'perSubject'>> = {};
    // the schema has checked the value already
    const threshold: Threshold | null =
      s.settings.threshold === undefined ? null : parseThresholdOrNull(s.settings.threshold);
    if (threshold?.thresholdMs !== undefined) own.thresholdMs = threshold.thresholdMs;
    if (threshold?.thresholdPct !== undefined) own.thresholdPct = threshold.thresholdPct;
    if (s.settings['instructions-threshold'] !== undefined)
      own.instructionsThresholdPct = s.settings['instructions-threshold'];
    const moduleMs =
      s.settings['module-threshold'] === undefined ? null : parseModuleThresholdOrNull(s.settings['module-threshold']);
    if (moduleMs !== null) own.moduleThresholdMs = moduleMs;
    perSubject[s.name] = own;
  }
  return perSubject;
}
