// The gate report: the PR comment and job summary of `gate`/`compare` (base vs head). Pure: strings
// in, string out.
//
// Order: marker, title, the one verdict line, module regression lines, the main table, one decision
// line per subject, instruction counts, phases and module changes, charts, the Embox-vs-Rumprun
// line, a <details> block with raw numbers, footer; fitted under GitHub's limit (./budget.ts).
import type { Comparison } from '../compare/index.js';
import type { ResultsDocument } from '../measure/results.js';
import { describeThreshold } from '../stats/verdict.js';
import {
  DEFAULT_TITLE,
  detailsBlock,
  footer,
  hostTable,
  name,
  notBuiltSection,
  partialNotes,
  qemuBlocks,
  refLabel,
  sideDetails,
  studyLine,
  tailBlocks,
} from './blocks.js';
import { fit, TRUNCATED_NOTE, type Budget } from './budget.js';
import { clip, escapeMarkdown, inlineCode } from './escape.js';
import { ciLabel, formatPlain, signed } from './format.js';
import {
  gateCharts,
  instructionsSection,
  moduleInstructionsSection,
  modulesSection,
  phasesSection,
} from './gate-sections.js';
import { decisionLines, mainGateTable, verdictLine } from './gate-verdict.js';
import { outlierWarning } from './notes.js';

export const REPORT_MARKER = '<!-- bootgate-report -->';

export interface GateReportContext {
  base: ResultsDocument;
  head: ResultsDocument;
  title?: string;
  /** the marker gets ":<configName>", so each config keeps its own sticky comment */
  configName?: string;
  /** templates not measured, with why */
  skipped?: { name: string; reason: string }[];
  runUrl?: string;
}

/**
 * The hidden first line the action searches for to update its sticky comment, one per config file.
 * Names made of `[A-Za-z0-9._/-]` (no `--`) appear as they are, as before.
 */
export function reportMarker(configName?: string): string {
  if (configName === undefined || configName === '') return REPORT_MARKER;
  // Other bytes percent-encoded, so two config names never share a marker (`ci x.yml`, `ci_x.yml`)
  // and none can end the HTML comment (`--` has its second dash encoded).
  const encoded = [...Buffer.from(configName, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._/-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')
    .replace(/--/g, '-%2D');
  return `<!-- bootgate-report:${encoded} -->`;
}

function gateDetails(c: Comparison, ctx: GateReportContext, budget: Budget): string {
  const parts: string[] = [];
  if (budget.subjectDetails) {
    for (const s of c.subjects) {
      parts.push(`#### ${name(s.name)}`);
      parts.push(...sideDetails('base', s.base, budget), ...sideDetails('head', s.head, budget));
      parts.push(
        ...qemuBlocks([
          { label: 'base', r: s.base },
          { label: 'head', r: s.head },
        ]),
      );
      parts.push(
        ...tailBlocks(
          'head boot',
          s.head.boots.filter((b) => !b.ok),
          budget,
        ),
      );
    }
  }
  parts.push('#### Host');
  parts.push(
    hostTable([
      { label: 'base', host: ctx.base.host, createdAt: ctx.base.createdAt, version: ctx.base.tool.version },
      { label: 'head', host: ctx.head.host, createdAt: ctx.head.createdAt, version: ctx.head.tool.version },
    ]),
  );
  const o = c.options;
  parts.push(
    `Gate settings: alpha = ${formatPlain(o.alpha)} (two-sided Mann–Whitney, spent over the looks of an adaptive gate), wall-clock threshold ±${escapeMarkdown(describeThreshold(o))} ` +
      `(Hodges–Lehmann shift and its CI, relative to the base median; a subject's own threshold is listed under the table), instruction threshold ±${formatPlain(o.instructionsThresholdPct)} %.`,
  );
  return detailsBlock(parts);
}

export function renderGateReport(comparison: Comparison, context: GateReportContext): string {
  const c = comparison;
  return fit(c.subjects.length, (budget, truncated, maxRows) => {
    const out: string[] = [
      reportMarker(context.configName),
      `### ${escapeMarkdown(context.title ?? DEFAULT_TITLE)}`,
      '',
      verdictLine(c),
      '',
    ];
    const first = c.subjects[0];
    const refs = first ? [refLabel(first.base), refLabel(first.head)] : [null, null];
    const config = context.configName ? `config ${inlineCode(context.configName)}` : null;
    const where = refs[0] || refs[1] ? `base ${refs[0] ?? '—'} → head ${refs[1] ?? '—'}` : null;
    const contextLine = [where, config].filter(Boolean).join(' · ');
    if (contextLine) out.push(contextLine, '');
    const notes = partialNotes([
      { label: 'base', doc: context.base },
      { label: 'head', doc: context.head },
    ]);
    if (notes.length > 0) out.push(...notes.flatMap((n) => [n, '']));

    const moduleLines = c.subjects.flatMap((s) =>
      s.moduleRegressions.slice(0, 5).map((m) => {
        const v = m.verdict;
        return `**Module regression** — ${name(s.name)}: ${name(m.name)} ${signed(v.shiftMs, 1)} ms (${ciLabel(v.ciLevel)} ${signed((v.ciPct[0] * v.baseMedian) / 100, 1)} … ${signed((v.ciPct[1] * v.baseMedian) / 100, 1)} ms), threshold ${s.options.moduleThresholdMs} ms per module`;
      }),
    );
    if (moduleLines.length > 0) out.push(...moduleLines, '');
    out.push(mainGateTable(c, maxRows), '');
    out.push(...decisionLines(c).slice(0, maxRows), '');
    const outliers = c.subjects.flatMap((s) => [
      outlierWarning(`${name(s.name)}, base`, s.base),
      outlierWarning(`${name(s.name)}, head`, s.head),
    ]);
    const warnings = outliers.filter((w): w is string => w !== null);
    if (warnings.length > 0) out.push(...warnings.slice(0, maxRows).map((w) => `- ${w}`), '');
    if (c.unmatched.length > 0)
      out.push(`Measured on one side only, not compared: ${c.unmatched.map(name).join(', ')}.`, '');
    if (context.skipped && context.skipped.length > 0) {
      out.push(
        'Not measured:',
        ...context.skipped.map((s) => `- ${name(s.name)}: ${escapeMarkdown(clip(s.reason, 300))}`),
        '',
      );
    }
    const notBuilt = notBuiltSection(
      c.subjects.flatMap((s) => [s.base, s.head]),
      budget,
    );
    if (notBuilt) out.push(notBuilt, '');

    const sections = [
      instructionsSection(c),
      budget.modules ? phasesSection(c) : null,
      budget.modules ? modulesSection(c) : null,
      budget.modules ? moduleInstructionsSection(c) : null,
      budget.charts ? gateCharts(c) : null,
      studyLine(
        c.subjects.map((s) => s.head),
        ' (head)',
      ),
    ];
    for (const s of sections) if (s) out.push(s, '');

    out.push(gateDetails(c, context, budget), '');
    if (truncated) out.push(TRUNCATED_NOTE, '');
    const foot = footer(context.runUrl);
    if (foot) out.push(foot, '');
    return out.join('\n');
  });
}
