// Warnings the Markdown reports and the terminal share, in the same words: boots that were outliers
// (as hyperfine warns), and a median "CI" from too few boots to be one.
import type { DecidedBy } from '../compare/decision.js';
import type { SubjectResult, SubjectSummary } from '../measure/results.js';
import { outlierBoots } from '../measure/summary.js';
import { medianCIReachesLevel } from '../stats/median-ci.js';
import { formatCount, formatMs } from './format.js';

/** Outliers named per subject; the rest are counted. */
const OUTLIERS_NAMED = 5;

/**
 * "2 of 20 boots were outliers (#7 1402.3 ms, #13 1388.0 ms): the host may have been busy; kept,
 * the statistics are rank-based"; null when there are none. `who` is the subject (and side), already
 * formatted for where the text goes.
 */
export function outlierWarning(who: string, r: Pick<SubjectResult, 'boots'>): string | null {
  const outliers = outlierBoots(r.boots);
  if (outliers.length === 0) return null;
  const ok = r.boots.filter((b) => b.ok).length;
  const named = outliers.slice(0, OUTLIERS_NAMED).map((b) => `#${formatCount(b.index + 1)} ${formatMs(b.bootMs)} ms`);
  if (outliers.length > OUTLIERS_NAMED) named.push(`${formatCount(outliers.length - OUTLIERS_NAMED)} more`);
  return (
    `${who}: ${formatCount(outliers.length)} of ${formatCount(ok)} boots were outliers (${named.join(', ')}; more than 3.5 robust ` +
    'standard deviations from the median): the host may have been busy. They are kept: the statistics are rank-based.'
  );
}

/** Below 6 boots the median's interval is the boots' min–max range, not a 95 % CI: a cell says so. */
export function isMinMaxRange(s: Pick<SubjectSummary, 'n'>): boolean {
  return s.n > 0 && !medianCIReachesLevel(s.n);
}

export const MIN_MAX_NOTE =
  'min–max: fewer than 6 boots, the range of the boots stands in for the 95 % CI (whose coverage it does not reach)';

/** What decided a subject, in the words of every report ("decided by boot time"). */
export const DECIDED_BY: Record<DecidedBy, string> = {
  'not built': 'the build',
  'identical image': 'identical images',
  'head boot failures': 'head boot failures',
  instructions: 'instruction counts',
  'boot time': 'boot time',
  'no successful boots': 'missing boots (no successful boot on one side)',
};
