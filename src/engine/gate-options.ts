// The gate's options for every subject: the global ones (flags or action inputs) with each
// subject's own thresholds from the config over them. Shared by the CLI and the action.
import type { Subject } from '../config/subjects.js';
import { parseModuleThresholdOrNull, parseThresholdOrNull, type Threshold } from '../config/threshold.js';
import type { GateOptions } from '../compare/index.js';

export function perSubjectOptions(subjects: readonly Subject[]): NonNullable<GateOptions['perSubject']> {
  const perSubject: NonNullable<GateOptions['perSubject']> = {};
  for (const s of subjects) {
    const own: Partial<Omit<GateOptions, 'perSubject'>> = {};
    // the schema has checked the value already
    const threshold: Threshold | null = s.settings.threshold === undefined ? null : parseThresholdOrNull(s.settings.threshold);
    if (threshold?.thresholdMs !== undefined) own.thresholdMs = threshold.thresholdMs;
    if (threshold?.thresholdPct !== undefined) own.thresholdPct = threshold.thresholdPct;
    if (s.settings['instructions-threshold'] !== undefined) own.instructionsThresholdPct = s.settings['instructions-threshold'];
    const moduleMs = s.settings['module-threshold'] === undefined ? null : parseModuleThresholdOrNull(s.settings['module-threshold']);
    if (moduleMs !== null) own.moduleThresholdMs = moduleMs;
    perSubject[s.name] = own;
  }
  return perSubject;
}
