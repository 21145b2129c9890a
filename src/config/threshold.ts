// Wall-clock thresholds: "5%" (of the base median) or "20ms" (absolute). A bare number is percent,
// as it always was.

/** The most a threshold may be: 100 % of the base, or ten minutes. */
export const MAX_THRESHOLD_MS = 600_000;

export type Threshold =
  { thresholdPct: number; thresholdMs?: undefined } | { thresholdMs: number; thresholdPct?: undefined };

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(%|ms)?\s*$/;

/** A description of what is wrong, or null when `value` is a valid threshold. */
export function thresholdProblem(value: unknown): string | null {
  return parseThresholdOrNull(value)
    ? null
    : 'expected a threshold like "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms';
}

export function parseThresholdOrNull(value: unknown): Threshold | null {
  let amount: number;
  let unit: string;
  if (typeof value === 'number') {
    amount = value;
    unit = '%';
  } else if (typeof value === 'string') {
    const m = PATTERN.exec(value);
    if (!m) return null;
    amount = Number(m[1]);
    unit = m[2] ?? '%';
  } else {
    return null;
  }
  if (!Number.isFinite(amount) || amount <= 0) return null;
  if (unit === 'ms') return amount <= MAX_THRESHOLD_MS ? { thresholdMs: amount } : null;
  return amount <= 100 ? { thresholdPct: amount } : null;
}

/** Parses a threshold or throws `makeError(message)` naming `where`. */
export function parseThreshold(value: unknown, where: string, makeError: (message: string) => Error): Threshold {
  const parsed = parseThresholdOrNull(value);
  if (!parsed) throw makeError(`${where}: ${thresholdProblem(value)}, got "${String(value)}"`);
  return parsed;
}

/** A per-module threshold is an absolute time: "10ms" (or a bare number of ms). */
export function parseModuleThresholdOrNull(value: unknown): number | null {
  const text = typeof value === 'number' ? `${value}ms` : value;
  if (typeof text !== 'string' || /%/.test(text)) return null;
  const parsed = parseThresholdOrNull(/ms\s*$/.test(text) ? text : `${text}ms`);
  return parsed?.thresholdMs ?? null;
}
