// GitHub rejects comments over 65,536 characters, so a report is rendered with a shrinking budget
// until it fits: raw boot rows go first, then serial tails, charts, per-subject details and module
// tables. The verdict line and the main table are only cut when nothing else is left.

export const GITHUB_COMMENT_LIMIT = 65536;
export const TRUNCATED_NOTE = 'details truncated: see the results artifact';

export interface Budget {
  /** raw boot rows per subject and side */
  rawRows: number;
  /** serial tails of failed boots per subject, and characters per tail */
  tails: number;
  tailChars: number;
  charts: boolean;
  /** per-subject part of <details> (boot tables, QEMU command, tails) */
  subjectDetails: boolean;
  modules: boolean;
}

export const FULL: Budget = {
  rawRows: Infinity,
  tails: 5,
  tailChars: 3000,
  charts: true,
  subjectDetails: true,
  modules: true,
};
export const LADDER: Budget[] = [
  FULL,
  { ...FULL, rawRows: 100 },
  { ...FULL, rawRows: 30 },
  { ...FULL, rawRows: 10 },
  { ...FULL, rawRows: 0 },
  { ...FULL, rawRows: 0, tails: 2, tailChars: 1000 },
  { ...FULL, rawRows: 0, tails: 1, tailChars: 300 },
  { ...FULL, rawRows: 0, tails: 0 },
  { ...FULL, rawRows: 0, tails: 0, charts: false },
  { ...FULL, rawRows: 0, tails: 0, charts: false, subjectDetails: false },
  { ...FULL, rawRows: 0, tails: 0, charts: false, subjectDetails: false, modules: false },
];

/** Renders with the largest budget that fits under the limit; past the ladder, cuts table rows. */
export function fit(rowCount: number, render: (budget: Budget, truncated: boolean, maxRows: number) => string): string {
  for (const [i, budget] of LADDER.entries()) {
    const text = render(budget, i > 0, Infinity);
    if (text.length < GITHUB_COMMENT_LIMIT) return text;
  }
  // Hundreds of subjects: only now give up main-table rows (a too-long comment is not posted at all).
  const last = LADDER[LADDER.length - 1]!;
  let lo = 0;
  let hi = rowCount;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(last, true, mid).length < GITHUB_COMMENT_LIMIT) lo = mid;
    else hi = mid - 1;
  }
  const text = render(last, true, lo);
  // Only a verdict line longer than the limit could still overflow; the verdict line leads.
  return text.length < GITHUB_COMMENT_LIMIT
    ? text
    : `${text.slice(0, GITHUB_COMMENT_LIMIT - 200)}\n\n${TRUNCATED_NOTE}\n`;
}
