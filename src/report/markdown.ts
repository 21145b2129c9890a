// The Markdown reports, by job: the gate report (./gate-report.ts, its verdict and sections),
// the measure report (./measure-report.ts), the size budget (./budget.ts), number formatting shared
// with the terminal (./format.ts) and the pieces both reports use (./blocks.ts).
export { GITHUB_COMMENT_LIMIT, TRUNCATED_NOTE } from './budget.js';
export { MAX_CHARTS, MAX_NOT_BUILT_SHOWN, OUTSIDE_MODULES, TOP_MODULES } from './blocks.js';
export { formatCi, formatCount, formatMs, formatP, formatPct, formatPlain } from './format.js';
export { renderGateReport, reportMarker, REPORT_MARKER, type GateReportContext } from './gate-report.js';
export { wallClockPair } from './gate-sections.js';
export { renderMeasureReport } from './measure-report.js';
