import { describeThreshold } from '../stats/verdict.js';
import type { Comparison } from '../compare/index.js';
import type { BootProgress } from '../measure/run.js';
import type { SubjectResult } from '../measure/results.js';
import { stripControl } from './escape.js';
import { formatCount, formatFixed, formatPlain } from './format.js';
import { DECIDED_BY, isMinMaxRange, MIN_MAX_NOTE, outlierWarning } from './notes.js';

// Subject and module names, errors and serial tails come from guests (or from a results file): a
// terminal must not receive their escape sequences or control characters. Every function here
// returns text through `safe`, and table cells are cleaned before their width is measured.
const safe = (text: string): string => stripControl(text);
const cellText = (text: string): string => stripControl(text).replace(/[\t\n]+/g, ' ');

// Numbers as in the Markdown reports (./format.ts), without thousands separators in table cells.
const fmt = formatFixed;
/** Counts and settings: digits only, whatever a results file held. */
const whole = (v: number | null | undefined): string => formatFixed(v, 0);
const plain = formatPlain;

export function subjectLabel(name: string, variant: string | null): string {
  return variant ? `${name} [${variant}]` : name;
}

/** One line per boot, printed between boots (never during a timed one). */
export function progressLine(p: BootProgress): string {
  const who = subjectLabel(p.subject, p.variant);
  const what = p.warmup ? `warm-up ${p.index + 1}/${p.of}` : `boot ${p.index + 1}/${p.of}`;
  const r = p.record;
  if (!r.ok) return cellText(`${who} ${what}: FAILED — ${(r.error ?? '').split('\n')[0]}`);
  const parts = [`boot ${fmt(r.bootMs)} ms`];
  if (r.httpMs !== null) parts.push(`http 200 ${fmt(r.httpMs)} ms`);
  if (r.instructions !== null) parts.push(`${r.instructions.toLocaleString('en-US')} instructions`);
  return cellText(`${who} ${what}: ${parts.join(', ')}`);
}

function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(cellText));
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

/** The final table: one row per subject, then each subject's slowest modules. */
export function resultsTable(results: readonly SubjectResult[], topModules = 10): string {
  const rows = [['subject', 'ok/total', 'median ms', '95% CI ms', 'CV %', 'min', 'max', 'HTTP 200 ms', 'instructions']];
  for (const r of results) {
    const s = r.summary;
    rows.push([
      subjectLabel(r.name, r.variant),
      `${whole(s.n)}/${whole(s.total)}`,
      fmt(s.median),
      s.ci95 ? `${fmt(s.ci95[0])}–${fmt(s.ci95[1])}${isMinMaxRange(s) ? ' (min–max)' : ''}` : '—',
      s.cv !== undefined ? fmt(s.cv * 100, 2) : '—',
      fmt(s.min),
      fmt(s.max),
      // no httpd (e.g. an Embox template without one): the ready point is the serial marker alone
      r.guest?.network === null ? 'no HTTP check' : fmt(s.http?.median),
      s.instructions ? formatCount(s.instructions.median) : '—',
    ]);
  }
  let out = table(rows);
  if (results.some((r) => isMinMaxRange(r.summary))) out += `\n(min–max) ${MIN_MAX_NOTE}`;
  for (const r of results) {
    const warning = outlierWarning(subjectLabel(r.name, r.variant), r);
    if (warning) out += `\n${warning}`;
  }
  const embox = results.find((r) => r.os === 'embox' && r.summary.median !== undefined);
  const rumprun = results.find((r) => r.os === 'rumprun' && r.summary.median !== undefined);
  if (embox && rumprun) {
    out += `\n\nEmbox vs Rumprun, start → httpd ready: ${fmt(embox.summary.median)} ms vs ${fmt(rumprun.summary.median)} ms`;
    out += ` (first HTTP 200: ${fmt(embox.summary.http?.median)} vs ${fmt(rumprun.summary.http?.median)} ms;`;
    out += ' the 2020 study measured 347 ms vs 366 ms on an i5-8250U)';
  }
  for (const r of results) {
    if (r.summary.modules.length === 0) continue;
    out += `\n\n${subjectLabel(r.name, r.variant)}: slowest modules (median ms over ${whole(r.summary.n)} boots)\n`;
    out += table([
      ['module', 'ms'],
      ...r.summary.modules.slice(0, topModules).map((m) => [m.name, fmt(m.medianMs, 2)]),
    ]);
  }
  for (const r of results) {
    const counted = r.summary.moduleInstructions ?? [];
    if (counted.length === 0 || r.summary.instructions === null) continue;
    const count = formatCount;
    const rows = counted.slice(0, topModules).map((m) => [m.name, count(m.medianInstructions)]);
    if (counted.length > topModules) {
      const others = counted.slice(topModules).reduce((sum, m) => sum + m.medianInstructions, 0);
      rows.push([`(${counted.length - topModules} other modules)`, count(others)]);
    }
    const rest = r.summary.unattributedInstructions;
    if (rest !== null && rest !== undefined) rows.push(['(outside any module)', count(rest)]);
    rows.push(['total, start → ready', count(r.summary.instructions.median)]);
    out += `\n\n${subjectLabel(r.name, r.variant)}: instructions per module init (median over ${whole(r.summary.n)} boots)\n`;
    out += table([['module', 'instructions'], ...rows]);
  }
  for (const r of results) if (r.notBuilt) out += `\n\n${notBuiltText(r)}`;
  const failed = results.flatMap((r) => r.boots.filter((b) => !b.ok).map((b) => ({ r, b })));
  if (failed.length > 0) {
    const first = failed[0]!;
    out += `\n\n${failed.length} boot(s) failed; first: ${subjectLabel(first.r.name, first.r.variant)} boot ${whole(first.b.index + 1)}:\n${first.b.error ?? ''}`;
  }
  return safe(out);
}

/** A subject that was not built: the step, the error's first line and the end of its log. */
export function notBuiltText(r: Pick<SubjectResult, 'name' | 'variant' | 'notBuilt'>): string {
  const n = r.notBuilt;
  if (!n) return '';
  const lines = [
    `${subjectLabel(r.name, r.variant)}: NOT BUILT (${n.stage}) — ${n.reason}`,
    ...n.tail.slice(-10).map((l) => `  ${l}`),
  ];
  if (n.log) lines.push(`  (log: ${n.log})`);
  return lines.join('\n');
}

/** The gate's verdict for a terminal: one line per subject, then the overall state. */
export function comparisonSummary(c: Comparison): string {
  const pct = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)} %`;
  const rows = [['subject', 'base ms', 'head ms', 'Δ %', '95% CI', 'p', 'ok base/head', 'verdict']];
  for (const s of c.subjects) {
    const v = s.boot;
    rows.push([
      s.name,
      fmt(v?.baseMedian),
      fmt(v?.headMedian),
      v ? pct(v.pct) : '—',
      v ? `${pct(v.ciPct[0])} … ${pct(v.ciPct[1])}` : '—',
      v && Number.isFinite(v.p) ? v.p.toPrecision(2) : '—',
      `${whole(s.base.summary.n)}/${whole(s.base.summary.total)} ${whole(s.head.summary.n)}/${whole(s.head.summary.total)}`,
      s.state,
    ]);
  }
  let out = table(rows);
  for (const s of c.subjects) {
    out += `\n${s.name}: ${s.state} — ${s.reason}`;
    const looks =
      s.sequential && s.sequential.maxPerSide > s.sequential.looks[0]!
        ? `, looks at ${s.sequential.looks.join(', ')} of at most ${s.sequential.maxPerSide} per side`
        : '';
    const threshold =
      s.decision.by === 'instructions'
        ? `instruction threshold ${plain(s.decision.instructionsThresholdPct ?? NaN)} %`
        : `threshold ${s.decision.threshold.text}`;
    out += `\n${s.name}: decided by ${DECIDED_BY[s.decision.by]}; ${threshold}; boots used ${whole(s.decision.boots.base)} + ${whole(s.decision.boots.head)}${looks}`;
    if (s.spread)
      out += `; spread/shape (KS, median-centred): D = ${s.spread.d.toFixed(2)}, p = ${s.spread.p.toPrecision(2)}`;
    for (const [side, r] of [
      ['base', s.base],
      ['head', s.head],
    ] as const) {
      const warning = outlierWarning(`${s.name}, ${side}`, r);
      if (warning) out += `\n${warning}`;
    }
    if (s.instructions) out += `\n${s.name}: instructions ${s.instructions.state} — ${s.instructions.reason}`;
    const phases = [...s.phases]
      .sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs))
      .slice(0, 3)
      .filter((p) => Math.abs(p.deltaMs) >= 0.05);
    if (phases.length > 0)
      out += `\n${s.name}: phases that changed most: ${phases.map((p) => `${p.name} ${p.deltaMs >= 0 ? '+' : ''}${p.deltaMs.toFixed(1)} ms`).join(', ')}`;
    const top = s.modules.slice(0, 3).filter((m) => Math.abs(m.deltaMs) >= 0.05);
    if (top.length > 0)
      out += `\n${s.name}: modules that changed most (line gaps): ${top.map((m) => `${m.name} ${m.deltaMs >= 0 ? '+' : ''}${m.deltaMs.toFixed(1)} ms`).join(', ')}`;
    const changed = s.moduleInstructions.filter((m) => m.delta !== 0).slice(0, 3);
    if (changed.length > 0) {
      const what = (m: (typeof changed)[number]): string =>
        `${m.module ?? '(outside any module)'} ${m.delta > 0 ? '+' : ''}${m.delta.toLocaleString('en-US')}`;
      out += `\n${s.name}: module instructions that changed most: ${changed.map(what).join(', ')}`;
    }
  }
  for (const s of c.subjects) for (const r of [s.base, s.head]) if (r.notBuilt) out += `\n${notBuiltText(r)}`;
  if (c.unmatched.length > 0) out += `\nnot compared (present on one side only): ${c.unmatched.join(', ')}`;
  const thresholds = [...new Set(c.subjects.map((s) => s.threshold))];
  out += `\n\nverdict: ${c.state.toUpperCase()} (threshold ${thresholds.length > 0 ? thresholds.join(' / ') : describeThreshold(c.options)}, alpha ${plain(c.options.alpha)})`;
  return safe(out);
}
