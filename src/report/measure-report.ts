// The measure report (nightly / `measure`): the facts of one results document, without deltas.
import type { ResultsDocument, SubjectResult } from '../measure/results.js';
import {
  cappedRows,
  DEFAULT_TITLE,
  detailsBlock,
  hostTable,
  MAX_CHARTS,
  name,
  NO_HTTP_CHECK,
  notBuiltSection,
  okBootMs,
  OUTSIDE_MODULES,
  partialNotes,
  qemuBlocks,
  sideDetails,
  studyLine,
  table,
  tailBlocks,
  TOP_MODULES,
} from './blocks.js';
import { fit, TRUNCATED_NOTE } from './budget.js';
import { escapeMarkdown } from './escape.js';
import { count, finite, formatMs, formatMs2 } from './format.js';
import { bootTimesChart } from './mermaid.js';
import { isMinMaxRange, MIN_MAX_NOTE, outlierWarning } from './notes.js';

function measureTable(doc: ResultsDocument, maxRows: number): string {
  const withVariant = doc.subjects.some((r) => r.variant !== null);
  const header = [
    'subject',
    ...(withVariant ? ['variant'] : []),
    'boots ok/total',
    'median ms',
    '95 % CI ms',
    'CV %',
    'HTTP 200 median ms',
    'instructions (median)',
    'image size (text+data+bss)',
  ];
  const rows = doc.subjects.map((r) => {
    const s = r.summary;
    const sizes = r.image?.sizes;
    return [
      name(r.name),
      ...(withVariant ? [r.variant ?? '—'] : []),
      `${count(s.n)}/${count(s.total)}`,
      formatMs(s.median),
      s.ci95 && finite(s.ci95[0]) && finite(s.ci95[1])
        ? `${formatMs(s.ci95[0])} … ${formatMs(s.ci95[1])}${isMinMaxRange(s) ? ' (min–max)' : ''}`
        : '—',
      finite(s.cv) ? (s.cv * 100).toFixed(2) : '—',
      r.guest?.network === null ? NO_HTTP_CHECK : formatMs(s.http?.median),
      s.instructions ? count(s.instructions.median) : '—',
      sizes ? `${count(sizes.text + sizes.data + sizes.bss)} B` : '—',
    ];
  });
  const align = header.map((_, i) => (i === 0 || (withVariant && i === 1) ? 'l' : 'r'));
  return table(header, align, cappedRows(rows, maxRows, header.length));
}

const label = (r: SubjectResult): string => name(r.variant ? `${r.name} [${r.variant}]` : r.name);

function measureModules(doc: ResultsDocument): string | null {
  const parts: string[] = [];
  for (const r of doc.subjects) {
    if (r.summary.modules.length === 0) continue;
    const rows = r.summary.modules.slice(0, TOP_MODULES).map((m) => [name(m.name), formatMs2(m.medianMs)]);
    parts.push(
      `Slowest modules of ${label(r)} (median ms over ${count(r.summary.n)} boots):`,
      '',
      table(['module', 'ms'], ['l', 'r'], rows),
      '',
    );
  }
  for (const r of doc.subjects) {
    const counted = r.summary.moduleInstructions ?? [];
    if (counted.length === 0) continue;
    const rows = counted.slice(0, TOP_MODULES).map((m) => [name(m.name), count(m.medianInstructions)]);
    const rest = r.summary.unattributedInstructions;
    if (finite(rest)) rows.push([OUTSIDE_MODULES, count(rest)]);
    parts.push(
      `Modules of ${label(r)} that took the most instructions (median over ${count(r.summary.n)} boots):`,
      '',
      table(['module', 'instructions'], ['l', 'r'], rows),
      '',
    );
  }
  return parts.length === 0 ? null : ['#### Module init time', '', ...parts].join('\n').trimEnd();
}

function measureCharts(doc: ResultsDocument): string | null {
  const drawable = doc.subjects.filter((r) => okBootMs(r).length > 0);
  if (drawable.length === 0) return null;
  const charts = drawable
    .slice(0, MAX_CHARTS)
    .map((r) =>
      bootTimesChart(`${r.variant ? `${r.name} ${r.variant}` : r.name}: sorted boot times`, okBootMs(r), null),
    )
    .filter((x): x is string => x !== null);
  const more = drawable.length > MAX_CHARTS ? [`Charts for the first ${count(MAX_CHARTS)} subjects only.`] : [];
  return ['#### Boot times (ms), sorted', '', ...charts.flatMap((ch) => [ch, '']), ...more].join('\n').trimEnd();
}

export function renderMeasureReport(doc: ResultsDocument, options: { title?: string } = {}): string {
  return fit(doc.subjects.length, (budget, truncated, maxRows) => {
    const out: string[] = [`### ${escapeMarkdown(options.title ?? DEFAULT_TITLE)}`, ''];
    const ok = doc.subjects.reduce((a, r) => a + r.summary.n, 0);
    const total = doc.subjects.reduce((a, r) => a + r.summary.total, 0);
    out.push(
      `${count(doc.subjects.length)} subjects, ${count(ok)} of ${count(total)} boots ok, on ${escapeMarkdown(doc.host.cpu)} (${count(doc.host.cores)} cores), ${escapeMarkdown(doc.host.qemu)}`,
      '',
    );
    out.push(...partialNotes([{ label: 'measure', doc }]).flatMap((n) => [n, '']));
    out.push(measureTable(doc, maxRows), '');
    if (doc.subjects.some((r) => isMinMaxRange(r.summary))) out.push(`(min–max) ${MIN_MAX_NOTE}.`, '');
    const outliers = doc.subjects.map((r) => outlierWarning(label(r), r)).filter((w): w is string => w !== null);
    if (outliers.length > 0) out.push(...outliers.slice(0, maxRows).map((w) => `- ${w}`), '');
    const notBuilt = notBuiltSection(doc.subjects, budget);
    if (notBuilt) out.push(notBuilt, '');
    const heads = doc.subjects.filter((r) => r.variant !== 'base');
    const sections = [
      budget.modules ? measureModules(doc) : null,
      budget.charts ? measureCharts(doc) : null,
      studyLine(heads, ''),
    ];
    for (const s of sections) if (s) out.push(s, '');

    const parts: string[] = [];
    if (budget.subjectDetails) {
      for (const r of doc.subjects) {
        parts.push(`#### ${label(r)}`, ...sideDetails(r.variant ?? 'boots', r, budget));
        parts.push(...qemuBlocks([{ label: r.variant ?? 'boots', r }]));
        parts.push(
          ...tailBlocks(
            'boot',
            r.boots.filter((b) => !b.ok),
            budget,
          ),
        );
      }
    }
    parts.push(
      '#### Host',
      hostTable([{ label: 'this run', host: doc.host, createdAt: doc.createdAt, version: doc.tool.version }]),
    );
    out.push(detailsBlock(parts), '');
    if (truncated) out.push(TRUNCATED_NOTE, '');
    return out.join('\n');
  });
}
