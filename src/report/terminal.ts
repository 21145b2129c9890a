import type { Comparison } from '../stats/index.js';
import type { BootProgress } from '../measure/run.js';
import type { SubjectResult } from '../measure/results.js';

const fmt = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

export function subjectLabel(name: string, variant: string | null): string {
  return variant ? `${name} [${variant}]` : name;
}

/** One line per boot, printed between boots (never during a timed one). */
export function progressLine(p: BootProgress): string {
  const who = subjectLabel(p.subject, p.variant);
  const what = p.warmup ? `warm-up ${p.index + 1}/${p.of}` : `boot ${p.index + 1}/${p.of}`;
  const r = p.record;
  if (!r.ok) return `${who} ${what}: FAILED — ${(r.error ?? '').split('\n')[0]}`;
  const parts = [`boot ${fmt(r.bootMs)} ms`];
  if (r.httpMs !== null) parts.push(`http 200 ${fmt(r.httpMs)} ms`);
  if (r.instructions !== null) parts.push(`${r.instructions.toLocaleString('en-US')} instructions`);
  return `${who} ${what}: ${parts.join(', ')}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

/** The final table: one row per subject, then each subject's slowest modules. */
export function resultsTable(results: readonly SubjectResult[], topModules = 10): string {
  const rows = [['subject', 'ok/total', 'median ms', '95% CI ms', 'CV %', 'min', 'max', 'HTTP 200 ms', 'instructions']];
  for (const r of results) {
    const s = r.summary;
    rows.push([
      subjectLabel(r.name, r.variant),
      `${s.n}/${s.total}`,
      fmt(s.median),
      s.ci95 ? `${fmt(s.ci95[0])}–${fmt(s.ci95[1])}` : '—',
      s.cv !== undefined ? fmt(s.cv * 100, 2) : '—',
      fmt(s.min),
      fmt(s.max),
      // no httpd (e.g. an Embox template without one): the ready point is the serial marker alone
      r.guest.network === null ? 'no HTTP check' : fmt(s.http?.median),
      s.instructions ? Math.round(s.instructions.median).toLocaleString('en-US') : '—',
    ]);
  }
  let out = table(rows);
  const embox = results.find((r) => r.os === 'embox' && r.summary.median !== undefined);
  const rumprun = results.find((r) => r.os === 'rumprun' && r.summary.median !== undefined);
  if (embox && rumprun) {
    out += `\n\nEmbox vs Rumprun, start → httpd ready: ${fmt(embox.summary.median)} ms vs ${fmt(rumprun.summary.median)} ms`;
    out += ` (first HTTP 200: ${fmt(embox.summary.http?.median)} vs ${fmt(rumprun.summary.http?.median)} ms;`;
    out += ' the 2020 study measured 347 ms vs 366 ms on an i5-8250U)';
  }
  for (const r of results) {
    if (r.summary.modules.length === 0) continue;
    out += `\n\n${subjectLabel(r.name, r.variant)}: slowest modules (median ms over ${r.summary.n} boots)\n`;
    out += table([['module', 'ms'], ...r.summary.modules.slice(0, topModules).map((m) => [m.name, fmt(m.medianMs, 2)])]);
  }
  const failed = results.flatMap((r) => r.boots.filter((b) => !b.ok).map((b) => ({ r, b })));
  if (failed.length > 0) {
    const first = failed[0]!;
    out += `\n\n${failed.length} boot(s) failed; first: ${subjectLabel(first.r.name, first.r.variant)} boot ${first.b.index + 1}:\n${first.b.error ?? ''}`;
  }
  return out;
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
      `${s.base.summary.n}/${s.base.summary.total} ${s.head.summary.n}/${s.head.summary.total}`,
      s.state,
    ]);
  }
  let out = table(rows);
  for (const s of c.subjects) {
    out += `\n${s.name}: ${s.state} — ${s.reason}`;
    if (s.instructions) out += `\n${s.name}: instructions ${s.instructions.state} — ${s.instructions.reason}`;
    const top = s.modules.slice(0, 3).filter((m) => Math.abs(m.deltaMs) >= 0.05);
    if (top.length > 0) out += `\n${s.name}: modules that changed most: ${top.map((m) => `${m.name} ${m.deltaMs >= 0 ? '+' : ''}${m.deltaMs.toFixed(1)} ms`).join(', ')}`;
  }
  if (c.unmatched.length > 0) out += `\nnot compared (present on one side only): ${c.unmatched.join(', ')}`;
  out += `\n\nverdict: ${c.state.toUpperCase()} (threshold ${c.options.thresholdPct} %, alpha ${c.options.alpha})`;
  return out;
}
