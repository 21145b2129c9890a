// Number formatting shared by the Markdown reports and the terminal (src/report/terminal.ts): ms with
// one decimal, signed percentages that never print -0.0, p-values as a comparison, counts with
// thousands separators; '—' for anything that is not a finite number.
import type { VerdictState } from '../stats/verdict.js';

export const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

export function formatMs(x: number | null | undefined): string {
  return finite(x) ? x.toFixed(1) : '—';
}

/** Signed number with fixed decimals; a value that rounds to zero prints as +0.0, never -0.0. */
export function signed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1).replace(/^/, '+') : `${x >= 0 ? '+' : ''}${text}`;
}

export function formatPct(x: number | null | undefined, digits = 1): string {
  return finite(x) ? `${signed(x, digits)} %` : '—';
}

/** "+4.8 … +7.3 %" */
export function formatCi(ci: readonly [number, number]): string {
  return finite(ci[0]) && finite(ci[1]) ? `${signed(ci[0], 1)} … ${signed(ci[1], 1)} %` : '—';
}

/** The p-value as a comparison: "p = 0.043", "p = 0.0003", "p < 0.0001". */
export function formatP(p: number | null | undefined): string {
  if (!finite(p)) return 'p = —';
  if (p < 0.0001) return 'p < 0.0001';
  return `p = ${p < 0.001 ? p.toPrecision(1) : p.toPrecision(2)}`;
}

/** A whole number with thousands separators ("12,345"); '—' for anything not finite. */
export function formatCount(x: number | null | undefined): string {
  return finite(x) ? Math.round(x).toLocaleString('en-US') : '—';
}

/** A setting such as a threshold or alpha, as given ("5", "0.01"); '—' for anything not finite. */
export function formatPlain(x: number | null | undefined): string {
  return finite(x) ? String(x) : '—';
}

// Every number from a results document goes through one of the formatters above: a number in the
// report is always digits, never text that happened to sit in a numeric field.
export const count = formatCount;
export const signedCount = (x: number): string =>
  finite(x) ? (x > 0 ? '+' : x < 0 ? '-' : '') + count(Math.abs(x)) : '—';

export const STATE_WORD: Record<VerdictState, string> = {
  regression: 'Regression',
  improvement: 'Improvement',
  'no change': 'No change',
  inconclusive: 'Inconclusive',
};

/** "95 % CI", or the level of a repeated CI ("99.2 % CI"). */
export function ciLabel(level: number): string {
  return Math.abs(level - 0.95) < 1e-9 ? '95 % CI' : `${(100 * level).toFixed(1)} % CI`;
}

/** ms with two decimals (module and phase times). */
export const formatMs2 = (x: number | null): string => (finite(x) ? x.toFixed(2) : '—');
export const signedMs = (x: number): string => (finite(x) ? signed(x, 2) : '—');

/** A number with `digits` decimals, without a sign or separators (terminal tables). */
export const formatFixed = (x: number | null | undefined, digits = 1): string => (finite(x) ? x.toFixed(digits) : '—');
