// The Markdown report: the PR comment and job summary of `gate`/`compare` (base vs head), and the
// summary of a plain `measure` run. Pure: strings in, string out.
//
// Order of a gate report: marker, title, the one verdict line, the main table, instruction counts,
// module changes, charts, the Embox-vs-Rumprun line, a <details> block with raw numbers, footer.
// GitHub rejects comments over 65,536 characters, so the report is rendered with a shrinking
// budget until it fits: raw boot rows go first, then serial tails, charts, per-subject details and
// module tables. The verdict line and the main table are only cut when nothing else is left.
import type { BootRecord, HostFacts, ResultsDocument, SubjectResult } from '../measure/results.js';
import type { Comparison, SubjectComparison } from '../compare/index.js';
import { describeThreshold, type VerdictState } from '../stats/verdict.js';
import { clip, codeBlock, escapeMarkdown, inlineCode, keepEnd, quoteArgs } from './escape.js';
import { bootTimesChart } from './mermaid.js';

export const REPORT_MARKER = '<!-- bootgate-report -->';
export const GITHUB_COMMENT_LIMIT = 65536;
/** Charts per report: each is a few hundred characters and a tall image. */
export const MAX_CHARTS = 3;
export const TOP_MODULES = 5;
export const TRUNCATED_NOTE = 'details truncated: see the results artifact';

const DEFAULT_TITLE = 'bootgate: boot time';

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
 * The hidden first line the action searches for to update its sticky comment. The config name is
 * reduced to `[A-Za-z0-9._/-]` so that it cannot end the HTML comment.
 */
export function reportMarker(configName?: string): string {
  if (configName === undefined || configName === '') return REPORT_MARKER;
  return `<!-- bootgate-report:${configName.replace(/[^\w./-]/g, '_').replace(/-{2,}/g, '-')} -->`;
}

// ---------------------------------------------------------------------------------------------
// Number formatting (same units and wording as the terminal table: ms with one decimal, "HTTP 200").

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

export function formatMs(x: number | null | undefined): string {
  return finite(x) ? x.toFixed(1) : '—';
}

/** Signed number with fixed decimals; a value that rounds to zero prints as +0.0, never -0.0. */
function signed(x: number, digits: number): string {
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
const count = formatCount;
const signedCount = (x: number): string => (finite(x) ? (x > 0 ? '+' : x < 0 ? '-' : '') + count(Math.abs(x)) : '—');

const STATE_WORD: Record<VerdictState, string> = {
  regression: 'Regression',
  improvement: 'Improvement',
  'no change': 'No change',
  inconclusive: 'Inconclusive',
};

// ---------------------------------------------------------------------------------------------
// Size budget.

interface Budget {
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

const FULL: Budget = { rawRows: Infinity, tails: 5, tailChars: 3000, charts: true, subjectDetails: true, modules: true };
const LADDER: Budget[] = [
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
function fit(rowCount: number, render: (budget: Budget, truncated: boolean, maxRows: number) => string): string {
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
  return text.length < GITHUB_COMMENT_LIMIT ? text : `${text.slice(0, GITHUB_COMMENT_LIMIT - 200)}\n\n${TRUNCATED_NOTE}\n`;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces.

function table(header: string[], align: ('l' | 'r' | 'c')[], rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '--:' : a === 'c' ? ':-:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Main-table rows, cut to maxRows with a row saying how many were left out. */
function cappedRows(rows: string[][], maxRows: number, width: number): string[][] {
  if (rows.length <= maxRows) return rows;
  const more = [`… ${count(rows.length - maxRows)} more subjects: see the results artifact`, ...Array<string>(width - 1).fill('')];
  return [...rows.slice(0, maxRows), more];
}

const name = (text: string): string => escapeMarkdown(clip(text, 100));
const firstLine = (text: string | null): string => (text ?? '').split('\n').find((l) => l.trim() !== '') ?? '';

function okBootMs(r: SubjectResult): number[] {
  return r.boots.filter((b) => b.ok && finite(b.bootMs)).map((b) => b.bootMs!);
}

function refLabel(r: SubjectResult): string | null {
  if (!r.ref && !r.commit) return null;
  const parts = [r.ref ? inlineCode(r.ref) : null, r.commit ? inlineCode(r.commit.slice(0, 12)) : null].filter(Boolean);
  return parts.join(' @ ');
}

function safeUrl(url: string): string | null {
  if (!/^https?:\/\/[^\s]+$/.test(url)) return null;
  return url.replace(/[()<>\[\]"'`\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function footer(runUrl: string | undefined): string | null {
  if (!runUrl) return null;
  const url = safeUrl(runUrl);
  return url ? `<sub>bootgate · [workflow run](${url})</sub>` : `<sub>bootgate · workflow run: ${escapeMarkdown(runUrl)}</sub>`;
}

/** The study's comparison line, when an Embox and a Rumprun subject were both measured. */
function studyLine(results: readonly SubjectResult[], label: string): string | null {
  const embox = results.find((r) => r.os === 'embox');
  const rumprun = results.find((r) => r.os === 'rumprun');
  if (!embox || !rumprun) return null;
  const ms = (r: SubjectResult): string => (finite(r.summary.median) ? `${formatMs(r.summary.median)} ms` : 'no successful boot');
  return (
    `Embox vs Rumprun${label}: ${ms(embox)} vs ${ms(rumprun)} to httpd ready ` +
    '(the 2020 study measured 347 ms vs 366 ms on an i5-8250U; numbers here are from this runner)'
  );
}

function bootTable(boots: readonly BootRecord[], maxRows: number): string {
  const rows = boots.slice(0, maxRows).map((b) => [
    count(b.index + 1),
    b.ok ? 'yes' : 'no',
    formatMs(b.bootMs),
    formatMs(b.httpMs),
    b.instructions === null ? '—' : count(b.instructions),
    b.ok ? '' : escapeMarkdown(clip(firstLine(b.error), 120)),
  ]);
  let text = table(['#', 'ok', 'boot ms', 'HTTP 200 ms', 'instructions', 'error'], ['r', 'c', 'r', 'r', 'r', 'l'], rows);
  if (boots.length > maxRows) text += `\n\n… ${count(boots.length - maxRows)} more boots: see the results artifact`;
  return text;
}

function sideDetails(label: string, r: SubjectResult, budget: Budget): string[] {
  const ref = refLabel(r);
  const warm = r.warmup.length > 0 ? `, ${count(r.warmup.length)} warm-up boots not counted` : '';
  const head = `**${label}**${ref ? ` (${ref})` : ''}: ${count(r.boots.length)} boots, ${count(r.boots.filter((b) => b.ok).length)} ok${warm}`;
  if (budget.rawRows <= 0 || r.boots.length === 0) return [head];
  return [head, bootTable(r.boots, budget.rawRows)];
}

function qemuBlocks(sides: { label: string; r: SubjectResult }[]): string[] {
  const withCommand = sides.filter((s) => s.r.qemuCommand.length > 0);
  if (withCommand.length === 0) return [];
  const commands = withCommand.map((s) => quoteArgs(s.r.qemuCommand));
  // The results document records the forwarded host port as 0 (each boot gets a free one).
  const port = (c: string): string => (c.includes('hostfwd=') ? ', host port shown as 0' : '');
  if (commands.every((c) => c === commands[0])) {
    const who = withCommand.length > 1 ? ` (${withCommand.map((s) => s.label).join(' and ')})` : '';
    return [`QEMU command${who}${port(commands[0]!)}:`, codeBlock(commands[0]!, 'text')];
  }
  return withCommand.flatMap((s, i) => [`QEMU command (${s.label})${port(commands[i]!)}:`, codeBlock(commands[i]!, 'text')]);
}

/** Error and serial tail of failed boots; `kind` names them ("head boot", "boot"). */
function tailBlocks(kind: string, failed: readonly BootRecord[], budget: Budget): string[] {
  if (failed.length === 0 || budget.tails <= 0) return [];
  const out: string[] = [];
  for (const b of failed.slice(0, budget.tails)) {
    const error = b.error ?? '(no error recorded)';
    const { text, cut } = keepEnd(error, budget.tailChars);
    // The first line says what went wrong, the end shows where the guest stopped: keep both.
    const shown = cut > 0 ? `${clip(firstLine(error), 200)}\n[… ${count(cut)} characters cut …]\n${text}` : text;
    out.push(`Failed ${kind} ${count(b.index + 1)}, error and serial tail:`, codeBlock(shown, 'text'));
  }
  if (failed.length > budget.tails) out.push(`… ${count(failed.length - budget.tails)} more failed ${kind}s: see the results artifact`);
  return out;
}

function hostTable(docs: { label: string; host: HostFacts; createdAt: string; version: string }[]): string {
  const row = (field: string, pick: (h: HostFacts) => string): string[] => [field, ...docs.map((d) => escapeMarkdown(pick(d.host)))];
  return table(
    ['', ...docs.map((d) => d.label)],
    ['l', ...docs.map(() => 'l' as const)],
    [
      row('CPU', (h) => h.cpu),
      row('cores', (h) => count(h.cores)),
      row('OS', (h) => `${h.os} (kernel ${h.kernel})`),
      row('QEMU', (h) => h.qemu),
      row('compiler', (h) => h.compiler ?? '—'),
      row('node', (h) => h.node),
      ['measured at', ...docs.map((d) => escapeMarkdown(d.createdAt))],
      ['bootgate', ...docs.map((d) => escapeMarkdown(d.version))],
    ],
  );
}

function partialNotes(docs: { label: string; doc: ResultsDocument }[]): string[] {
  return docs
    .filter((d) => d.doc.partial)
    .map((d) => `Note: the ${d.label} run was interrupted; its results hold only the boots recorded before that.`);
}

function detailsBlock(parts: string[]): string {
  return ['<details><summary>Raw numbers, QEMU command, host</summary>', '', ...parts.flatMap((p) => [p, '']), '</details>'].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Subjects that could not be built: said in the verdict line, the table and a section of their own.

/** Subjects listed with their log tail; the rest are named only. */
export const MAX_NOT_BUILT_SHOWN = 5;


/** Each side that could not be built: which step, the first line of the error, the log's last lines. */
function notBuiltSection(results: readonly SubjectResult[], budget: Budget): string | null {
  const failed = results.filter((r) => r.notBuilt);
  if (failed.length === 0) return null;
  const out = ['#### Not built', ''];
  for (const r of failed.slice(0, MAX_NOT_BUILT_SHOWN)) {
    const n = r.notBuilt!;
    const side = r.variant ? ` at ${r.variant}${r.commit ? ` (${inlineCode(r.commit.slice(0, 12))})` : ''}` : '';
    out.push(`**${name(r.name)}**${side} ${STAGE_PHRASE[n.stage] ?? STAGE_PHRASE.build}: ${escapeMarkdown(clip(n.reason, 300))}`, '');
    if (n.tail.length > 0 && budget.tails > 0) {
      const { text, cut } = keepEnd(n.tail.join('\n'), budget.tailChars);
      out.push(codeBlock(cut > 0 ? `[… ${cut} characters cut …]\n${text}` : text, 'text'), '');
    }
  }
  if (failed.length > MAX_NOT_BUILT_SHOWN) {
    out.push(`… and ${failed.length - MAX_NOT_BUILT_SHOWN} more: ${failed.slice(MAX_NOT_BUILT_SHOWN).map((r) => name(r.variant ? `${r.name} [${r.variant}]` : r.name)).join(', ')}`, '');
  }
  return out.join('\n').trimEnd();
}

const STAGE_PHRASE: Record<string, string> = { checkout: 'could not be checked out', build: 'does not build', config: 'cannot run as configured' };

// ---------------------------------------------------------------------------------------------
// Gate report.

/** One subject's part of the verdict line: what changed, by how much, how sure. */
function headline(s: SubjectComparison): string {
  const who = name(s.name);
  const d = s.decision;
  switch (d.by) {
    case 'not built':
    case 'identical image':
    case 'no successful boots':
      return `${who}: ${escapeMarkdown(clip(s.reason, 300))}`;
    case 'head boot failures': {
      const timing = s.boot && finite(s.boot.pct) ? `; successful boots ${formatPct(s.boot.pct)}` : '';
      return `${who}: ${count(d.boots.headFailed)} of ${count(d.boots.head)} head boots failed while every base boot succeeded${timing}`;
    }
    case 'instructions': {
      const ins = s.instructions!;
      if (ins.delta === null || ins.pct === null || ins.base === null || ins.head === null) return `${who}: ${escapeMarkdown(ins.reason)}`;
      return `${who}: ${formatPct(ins.pct, 2)} instructions (${count(ins.base)} → ${count(ins.head)}, ${signedCount(ins.delta)})`;
    }
    case 'boot time': {
      const v = s.boot!;
      let text = finite(v.pct)
        ? `${who}: ${formatPct(v.pct)} (${ciLabel(v.ciLevel)} ${formatCi(v.ciPct)}, ${formatP(v.p)})`
        : `${who}: ${escapeMarkdown(v.reason)}`;
      if (v.state === 'inconclusive') {
        if (v.moreBoots !== null) text += `; ~${count(v.moreBoots)} more boots per side would decide`;
        else if (finite(v.pct)) text += '; the change sits on the threshold, more boots are unlikely to settle it';
      }
      return text;
    }
  }
}

function verdictLine(c: Comparison): string {
  const word = `**${STATE_WORD[c.state]}**`;
  if (c.subjects.length === 0) {
    const one = c.unmatched.length > 0 ? ` (measured on one side only: ${c.unmatched.slice(0, 5).map(name).join(', ')})` : '';
    return `${word} — no subject was measured on both base and head${one}`;
  }
  const deciding = c.subjects.filter((s) => s.state === c.state);
  const shown = deciding.slice(0, 3).map(headline);
  if (deciding.length > 3) shown.push(`and ${count(deciding.length - 3)} more`);
  let line = `${word} — ${shown.join('; ')}`;
  if (c.state === 'no change') {
    // each subject's own threshold, the one it was decided with, not the global one
    const thresholds = [
      ...new Set(deciding.filter((s) => s.decision.by === 'boot time').map((s) => s.decision.threshold.text)),
      ...new Set(deciding.filter((s) => s.decision.by === 'instructions').map((s) => `${formatPlain(s.decision.instructionsThresholdPct)} % instructions`)),
    ];
    if (thresholds.length > 0) line += `; within ±${thresholds.join(' / ±')}`;
  }
  // Head failures decide a subject only when every base boot succeeded (then its headline says so);
  // when the base failed too, they are still said here.
  const failureNotes = c.subjects
    .filter((s) => s.decision.by !== 'head boot failures' && s.decision.boots.headFailed > 0 && s.decision.boots.baseFailed > 0)
    .map((s) => {
      const b = s.decision.boots;
      return `${name(s.name)}: ${count(b.headFailed)} of ${count(b.head)} head boots failed (base: ${count(b.baseFailed)} of ${count(b.base)})`;
    });
  if (failureNotes.length > 0) line += `; also ${failureNotes.slice(0, 3).join('; ')}${failureNotes.length > 3 ? `; and ${count(failureNotes.length - 3)} more` : ''}`;
  return line;
}

function ciLabel(level: number): string {
  return Math.abs(level - 0.95) < 1e-9 ? '95 % CI' : `${(100 * level).toFixed(1)} % CI`;
}

/** One line per subject: what decided it, the threshold it was judged with and the boots the decision took. */
function decisionLines(c: Comparison): string[] {
  return c.subjects.map((s) => {
    const d = s.decision;
    const parts = [`decided by ${DECIDED_BY[d.by]}${d.test ? ` (${d.test})` : ''}`];
    if (d.by === 'instructions') parts.push(`instruction threshold ±${formatPlain(d.instructionsThresholdPct)} %`);
    else parts.push(`threshold ${escapeMarkdown(d.threshold.text)}${d.threshold.ms !== null && finite(d.threshold.pctOfBase) ? ` (${d.threshold.pctOfBase.toFixed(1)} % of the base median)` : ''}`);
    if (d.moduleThreshold) parts.push(`module threshold ${formatPlain(d.moduleThreshold.ms)} ms (${count(d.moduleThreshold.slower)} module(s) over it)`);
    const used = `${count(d.boots.base)} + ${count(d.boots.head)} boots${d.boots.warmup > 0 ? ` (and ${count(d.boots.warmup)} warm-up)` : ''}`;
    if (d.by === 'identical image') {
      parts.push(`identical image (${d.identicalImage}): no boots`);
    } else if (d.by === 'not built') {
      parts.push(`${d.notBuilt === 'both' ? 'base and head' : d.notBuilt} not built: no boots compared`);
    } else if (d.mode === 'adaptive' && s.sequential) {
      const q = s.sequential;
      const why = s.state !== 'inconclusive' ? 'decided' : q.final ? 'cap reached' : 'stopped';
      parts.push(`${used}, adaptive: ${why} at look ${count(q.look)} (looks at ${q.looks.map((n) => count(n)).join(', ')} of at most ${count(q.maxPerSide)} per side; this look needs p < ${q.pLevel.toPrecision(2)} and uses a ${ciLabel(q.ciLevel).replace(' CI', '')} repeated CI)`);
    } else {
      parts.push(`${used}, fixed count`);
    }
    const sp = s.spread;
    if (sp && d.by !== 'identical image') {
      const ratio = sp.madRatio !== null && finite(sp.madRatio) ? `spread (MAD) ×${sp.madRatio.toFixed(2)}, ` : '';
      const flag = sp.p < d.alpha ? ' — **the shape or spread changed**' : '';
      parts.push(`${ratio}shape: KS D = ${sp.d.toFixed(2)} (p = ${sp.p < 0.001 ? sp.p.toExponential(1) : sp.p.toPrecision(2)}) on median-centred boots, not gated${flag}`);
    }
    return `- ${name(s.name)}: ${parts.join(' · ')}`;
  });
}

const DECIDED_BY: Record<SubjectComparison['decision']['by'], string> = {
  'not built': 'the build',
  'identical image': 'identical images',
  'head boot failures': 'head boot failures',
  instructions: 'instruction counts',
  'boot time': 'boot time',
  'no successful boots': 'missing boots (no successful boot on one side)',
};

function subjectVerdict(s: SubjectComparison): string {
  const word = STATE_WORD[s.state];
  switch (s.decision.by) {
    case 'not built':
      return `${word} (${s.decision.notBuilt === 'both' ? 'not built' : s.decision.notBuilt === 'head' ? 'head does not build' : 'base did not build'})`;
    case 'head boot failures':
      return `${word} (boot failures)`;
    case 'instructions':
      return `${word} (instructions)`;
    default:
      return word;
  }
}

function imageDelta(s: SubjectComparison): string {
  const d = s.imageDelta;
  if (!d) return '—';
  return `${signedCount(d.text + d.data + d.bss)} B`;
}

function mainGateTable(c: Comparison, maxRows: number): string {
  const header = [
    'subject',
    'base median ms',
    'head median ms',
    'Δ % (95 % CI)',
    'p',
    'boots ok/total (base / head)',
    'HTTP 200 median ms (base → head)',
    'image size Δ',
    'verdict',
  ];
  const rows = c.subjects.map((s) => {
    const v = s.boot;
    const baseMedian = finite(v?.baseMedian) ? v.baseMedian : s.base.summary.median;
    const headMedian = finite(v?.headMedian) ? v.headMedian : s.head.summary.median;
    const delta = v && finite(v.pct) ? `${formatPct(v.pct)} (${formatCi(v.ciPct)})` : '—';
    const p = v && finite(v.p) ? formatP(v.p).replace(/^p (= )?/, '') : '—';
    const httpBase = s.base.summary.http?.median;
    const httpHead = s.head.summary.http?.median;
    const http = finite(httpBase) || finite(httpHead) ? `${formatMs(httpBase)} → ${formatMs(httpHead)}` : s.head.guest?.network === null ? NO_HTTP_CHECK : '—';
    const boots = `${count(s.base.summary.n)}/${count(s.base.summary.total)} / ${count(s.head.summary.n)}/${count(s.head.summary.total)}`;
    return [name(s.name), formatMs(baseMedian), formatMs(headMedian), delta, p, boots, http, imageDelta(s), subjectVerdict(s)];
  });
  return table(header, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'], cappedRows(rows, maxRows, header.length));
}

/** A guest without network (an Embox template that starts no httpd): ready is a serial marker only. */
const NO_HTTP_CHECK = 'no HTTP check (no httpd: ready = serial marker)';

function distinctCountNote(label: string, r: SubjectResult): string | null {
  const counts = r.boots.filter((b) => b.ok && b.instructions !== null).map((b) => b.instructions!);
  if (counts.length === 0) return null;
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? null : `${label} counts differ between boots (${count(lo)} … ${count(hi)}): the median is shown`;
}

/**
 * The wall-clock subject that boots the same image as a deterministic one (same head kernel):
 * the config's pair of one build, measured both ways.
 */
export function wallClockPair(c: Comparison, s: SubjectComparison): SubjectComparison | null {
  const kernel = s.head.guest?.kernel;
  if (kernel === undefined) return null;
  return c.subjects.find((o) => o !== s && !o.head.deterministic && !o.base.deterministic && o.head.guest?.kernel === kernel) ?? null;
}

function instructionsSection(c: Comparison): string | null {
  const subjects = c.subjects.filter((s) => s.instructions !== null);
  if (subjects.length === 0) return null;
  const pairs = subjects.map((s) => wallClockPair(c, s));
  const paired = pairs.some((p) => p !== null);
  const rows = subjects.map((s, k) => {
    const i = s.instructions!;
    const pair = pairs[k];
    return [
      name(s.name),
      i.base === null ? '—' : count(i.base),
      i.head === null ? '—' : count(i.head),
      i.delta === null ? '—' : signedCount(i.delta),
      formatPct(i.pct, 2),
      STATE_WORD[i.state],
      ...(paired ? [pair ? `${name(pair.name)}: ${STATE_WORD[pair.state]}${pair.boot && finite(pair.boot.pct) ? ` (${formatPct(pair.boot.pct)})` : ''}` : '—'] : []),
    ];
  });
  const notes = subjects.flatMap((s) =>
    [distinctCountNote('base', s.base), distinctCountNote('head', s.head)].filter((n): n is string => n !== null).map((n) => `- ${name(s.name)}: ${n}`),
  );
  return [
    '#### Instructions to ready (deterministic boots)',
    '',
    table(
      ['subject', 'base instructions', 'head instructions', 'Δ', 'Δ %', 'verdict', ...(paired ? ['same image, wall-clock'] : [])],
      ['l', 'r', 'r', 'r', 'r', 'l', ...(paired ? (['l'] as const) : [])],
      rows,
    ),
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
    'Instructions count work, not waiting: a sleep adds almost nothing to them. They are exact, so a deterministic ' +
      `subject is judged on them (threshold ±${[...new Set(subjects.map((s) => formatPlain(s.options.instructionsThresholdPct)))].join(' / ±')} %), but a slowdown that comes from ` +
      'waiting only shows in a normal run: wall-clock time stays the primary gate' +
      (paired ? ' (last column: the wall-clock subject that boots the same image).' : '.'),
  ].join('\n');
}

function modulesSection(c: Comparison): string | null {
  const parts: string[] = [];
  for (const s of c.subjects) {
    if (s.modules.length === 0) continue;
    const rows = s.modules.slice(0, TOP_MODULES).map((m) => [name(m.name), formatMs2(m.baseMs), formatMs2(m.headMs), signedMs(m.deltaMs)]);
    parts.push(
      `Modules of ${name(s.name)} whose init time changed most (median ms over successful boots). These are line gaps: ` +
        "from a module's init line to the next module's line, so a removed or silent module's time shows up in its neighbour.",
      '',
    );
    parts.push(table(['module', 'base ms', 'head ms', 'Δ ms'], ['l', 'r', 'r', 'r'], rows), '');
  }
  if (parts.length === 0) return null;
  return ['#### Module init time', '', ...parts].join('\n').trimEnd();
}

/** Phases in boot order; those that changed by less than 0.5 ms are folded into one row. */
function phasesSection(c: Comparison): string | null {
  const parts: string[] = [];
  for (const s of c.subjects) {
    if (s.phases.length === 0) continue;
    const shown = s.phases.filter((p) => Math.abs(p.deltaMs) >= 0.5 || p.baseMs === null || p.headMs === null);
    const rest = s.phases.filter((p) => !shown.includes(p));
    const rows = shown.slice(0, 20).map((p) => [name(p.name), formatMs2(p.baseMs), formatMs2(p.headMs), signedMs(p.deltaMs)]);
    if (rest.length > 0) {
      const sum = (pick: (p: (typeof rest)[number]) => number | null): number => rest.reduce((a, p) => a + (pick(p) ?? 0), 0);
      rows.push([`${rest.length} other phases (each within ±0.5 ms)`, formatMs2(sum((p) => p.baseMs)), formatMs2(sum((p) => p.headMs)), signedMs(sum((p) => p.deltaMs))]);
    }
    parts.push(`Phases of ${name(s.name)}, in boot order (median ms over successful boots; "script:" rows are the start-script commands the guest echoes):`, '');
    parts.push(table(['phase', 'base ms', 'head ms', 'Δ ms'], ['l', 'r', 'r', 'r'], rows), '');
  }
  if (parts.length === 0) return null;
  return ['#### Where the time went', '', ...parts].join('\n').trimEnd();
}

/** The rest of a deterministic boot that no module's init took (boot code, the httpd's start). */
export const OUTSIDE_MODULES = '(outside any module)';

/** Deterministic subjects: each module's init in instructions, base vs head, biggest change first. */
function moduleInstructionsSection(c: Comparison): string | null {
  const parts: string[] = [];
  for (const s of c.subjects) {
    if (s.moduleInstructions.length === 0) continue;
    const modules = s.moduleInstructions.filter((m) => m.module !== null);
    const rest = s.moduleInstructions.filter((m) => m.module === null);
    const shown = [...modules.slice(0, TOP_MODULES), ...rest];
    const rows = shown.map((m) => [
      m.module === null ? OUTSIDE_MODULES : name(m.module),
      m.base === null ? '—' : count(m.base),
      m.head === null ? '—' : count(m.head),
      signedCount(m.delta),
    ]);
    const more = modules.length > TOP_MODULES ? ` (${TOP_MODULES} of ${modules.length} modules)` : '';
    parts.push(`Modules of ${name(s.name)} whose init instructions changed most${more}; the last row is the rest of the count:`, '');
    parts.push(table(['module', 'base instructions', 'head instructions', 'Δ'], ['l', 'r', 'r', 'r'], rows), '');
  }
  if (parts.length === 0) return null;
  return ['#### Module init instructions (deterministic boots)', '', ...parts].join('\n').trimEnd();
}

const formatMs2 = (x: number | null): string => (finite(x) ? x.toFixed(2) : '—');
const signedMs = (x: number): string => (finite(x) ? signed(x, 2) : '—');

function gateCharts(c: Comparison): string | null {
  const drawable = c.subjects.filter((s) => okBootMs(s.base).length > 0 && okBootMs(s.head).length > 0);
  if (drawable.length === 0) return null;
  const charts = drawable
    .slice(0, MAX_CHARTS)
    .map((s) => bootTimesChart(`${s.name}: sorted boot times`, okBootMs(s.base), okBootMs(s.head)))
    .filter((x): x is string => x !== null);
  const more = drawable.length > MAX_CHARTS ? [`Charts for the first ${count(MAX_CHARTS)} subjects only.`] : [];
  return ['#### Boot times (ms), sorted: bars base, line head', '', ...charts.flatMap((ch) => [ch, '']), ...more].join('\n').trimEnd();
}

function gateDetails(c: Comparison, ctx: GateReportContext, budget: Budget): string {
  const parts: string[] = [];
  if (budget.subjectDetails) {
    for (const s of c.subjects) {
      parts.push(`#### ${name(s.name)}`);
      parts.push(...sideDetails('base', s.base, budget), ...sideDetails('head', s.head, budget));
      parts.push(...qemuBlocks([{ label: 'base', r: s.base }, { label: 'head', r: s.head }]));
      parts.push(...tailBlocks('head boot', s.head.boots.filter((b) => !b.ok), budget));
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
    const out: string[] = [reportMarker(context.configName), `### ${escapeMarkdown(context.title ?? DEFAULT_TITLE)}`, '', verdictLine(c), ''];
    const first = c.subjects[0];
    const refs = first ? [refLabel(first.base), refLabel(first.head)] : [null, null];
    const config = context.configName ? `config ${inlineCode(context.configName)}` : null;
    const where = refs[0] || refs[1] ? `base ${refs[0] ?? '—'} → head ${refs[1] ?? '—'}` : null;
    const contextLine = [where, config].filter(Boolean).join(' · ');
    if (contextLine) out.push(contextLine, '');
    const notes = partialNotes([{ label: 'base', doc: context.base }, { label: 'head', doc: context.head }]);
    if (notes.length > 0) out.push(...notes.flatMap((n) => [n, '']));

    const moduleLines = c.subjects.flatMap((s) =>
      s.moduleRegressions.slice(0, 5).map((m) => {
        const v = m.verdict;
        return `**Module regression** — ${name(s.name)}: ${name(m.name)} ${signed(v.shiftMs, 1)} ms (${ciLabel(v.ciLevel)} ${signed(v.ciPct[0] * v.baseMedian / 100, 1)} … ${signed(v.ciPct[1] * v.baseMedian / 100, 1)} ms), threshold ${s.options.moduleThresholdMs} ms per module`;
      }),
    );
    if (moduleLines.length > 0) out.push(...moduleLines, '');
    out.push(mainGateTable(c, maxRows), '');
    out.push(...decisionLines(c).slice(0, maxRows), '');
    if (c.unmatched.length > 0) out.push(`Measured on one side only, not compared: ${c.unmatched.map(name).join(', ')}.`, '');
    if (context.skipped && context.skipped.length > 0) {
      out.push('Not measured:', ...context.skipped.map((s) => `- ${name(s.name)}: ${escapeMarkdown(clip(s.reason, 300))}`), '');
    }
    const notBuilt = notBuiltSection(c.subjects.flatMap((s) => [s.base, s.head]), budget);
    if (notBuilt) out.push(notBuilt, '');

    const sections = [
      instructionsSection(c),
      budget.modules ? phasesSection(c) : null,
      budget.modules ? modulesSection(c) : null,
      budget.modules ? moduleInstructionsSection(c) : null,
      budget.charts ? gateCharts(c) : null,
      studyLine(c.subjects.map((s) => s.head), ' (head)'),
    ];
    for (const s of sections) if (s) out.push(s, '');

    out.push(gateDetails(c, context, budget), '');
    if (truncated) out.push(TRUNCATED_NOTE, '');
    const foot = footer(context.runUrl);
    if (foot) out.push(foot, '');
    return out.join('\n');
  });
}

// ---------------------------------------------------------------------------------------------
// Measure report (nightly / `measure`): the same facts for one results document, without deltas.

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
      s.ci95 && finite(s.ci95[0]) && finite(s.ci95[1]) ? `${formatMs(s.ci95[0])} … ${formatMs(s.ci95[1])}` : '—',
      finite(s.cv) ? (s.cv * 100).toFixed(2) : '—',
      r.guest?.network === null ? NO_HTTP_CHECK : formatMs(s.http?.median),
      s.instructions ? count(s.instructions.median) : '—',
      sizes ? `${count(sizes.text + sizes.data + sizes.bss)} B` : '—',
    ];
  });
  const align = header.map((_, i) => (i === 0 || (withVariant && i === 1) ? 'l' : 'r') as 'l' | 'r');
  return table(header, align, cappedRows(rows, maxRows, header.length));
}

const label = (r: SubjectResult): string => name(r.variant ? `${r.name} [${r.variant}]` : r.name);

function measureModules(doc: ResultsDocument): string | null {
  const parts: string[] = [];
  for (const r of doc.subjects) {
    if (r.summary.modules.length === 0) continue;
    const rows = r.summary.modules.slice(0, TOP_MODULES).map((m) => [name(m.name), formatMs2(m.medianMs)]);
    parts.push(`Slowest modules of ${label(r)} (median ms over ${count(r.summary.n)} boots):`, '', table(['module', 'ms'], ['l', 'r'], rows), '');
  }
  for (const r of doc.subjects) {
    const counted = r.summary.moduleInstructions ?? [];
    if (counted.length === 0) continue;
    const rows = counted.slice(0, TOP_MODULES).map((m) => [name(m.name), count(m.medianInstructions)]);
    const rest = r.summary.unattributedInstructions;
    if (finite(rest)) rows.push([OUTSIDE_MODULES, count(rest)]);
    parts.push(`Modules of ${label(r)} that took the most instructions (median over ${count(r.summary.n)} boots):`, '', table(['module', 'instructions'], ['l', 'r'], rows), '');
  }
  return parts.length === 0 ? null : ['#### Module init time', '', ...parts].join('\n').trimEnd();
}

function measureCharts(doc: ResultsDocument): string | null {
  const drawable = doc.subjects.filter((r) => okBootMs(r).length > 0);
  if (drawable.length === 0) return null;
  const charts = drawable
    .slice(0, MAX_CHARTS)
    .map((r) => bootTimesChart(`${r.variant ? `${r.name} ${r.variant}` : r.name}: sorted boot times`, okBootMs(r), null))
    .filter((x): x is string => x !== null);
  const more = drawable.length > MAX_CHARTS ? [`Charts for the first ${count(MAX_CHARTS)} subjects only.`] : [];
  return ['#### Boot times (ms), sorted', '', ...charts.flatMap((ch) => [ch, '']), ...more].join('\n').trimEnd();
}

export function renderMeasureReport(doc: ResultsDocument, options: { title?: string } = {}): string {
  return fit(doc.subjects.length, (budget, truncated, maxRows) => {
    const out: string[] = [`### ${escapeMarkdown(options.title ?? DEFAULT_TITLE)}`, ''];
    const ok = doc.subjects.reduce((a, r) => a + r.summary.n, 0);
    const total = doc.subjects.reduce((a, r) => a + r.summary.total, 0);
    out.push(`${count(doc.subjects.length)} subjects, ${count(ok)} of ${count(total)} boots ok, on ${escapeMarkdown(doc.host.cpu)} (${count(doc.host.cores)} cores), ${escapeMarkdown(doc.host.qemu)}`, '');
    out.push(...partialNotes([{ label: 'measure', doc }]).flatMap((n) => [n, '']));
    out.push(measureTable(doc, maxRows), '');
    const notBuilt = notBuiltSection(doc.subjects, budget);
    if (notBuilt) out.push(notBuilt, '');
    const heads = doc.subjects.filter((r) => r.variant !== 'base');
    const sections = [budget.modules ? measureModules(doc) : null, budget.charts ? measureCharts(doc) : null, studyLine(heads, '')];
    for (const s of sections) if (s) out.push(s, '');

    const parts: string[] = [];
    if (budget.subjectDetails) {
      for (const r of doc.subjects) {
        parts.push(`#### ${label(r)}`, ...sideDetails(r.variant ?? 'boots', r, budget));
        parts.push(...qemuBlocks([{ label: r.variant ?? 'boots', r }]));
        parts.push(...tailBlocks('boot', r.boots.filter((b) => !b.ok), budget));
      }
    }
    parts.push('#### Host', hostTable([{ label: 'this run', host: doc.host, createdAt: doc.createdAt, version: doc.tool.version }]));
    out.push(detailsBlock(parts), '');
    if (truncated) out.push(TRUNCATED_NOTE, '');
    return out.join('\n');
  });
}
