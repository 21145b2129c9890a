// Pieces both Markdown reports (gate and measure) are made of: tables, boot rows, QEMU commands,
// serial tails, host facts, the not-built section. Pure: strings in, string out.
import type { BootRecord, HostFacts, ResultsDocument, SubjectResult } from '../measure/results.js';
import type { Budget } from './budget.js';
import { clip, codeBlock, escapeMarkdown, inlineCode, keepEnd, quoteArgs } from './escape.js';
import { count, finite, formatMs } from './format.js';

/** Charts per report: each is a few hundred characters and a tall image. */
export const MAX_CHARTS = 3;
export const TOP_MODULES = 5;
export const DEFAULT_TITLE = 'bootgate: boot time';
/** A guest without network (an Embox template that starts no httpd): ready is a serial marker only. */
export const NO_HTTP_CHECK = 'no HTTP check (no httpd: ready = serial marker)';
/** The rest of a deterministic boot that no module's init took (boot code, the httpd's start). */
export const OUTSIDE_MODULES = '(outside any module)';

export function table(header: string[], align: ('l' | 'r' | 'c')[], rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '--:' : a === 'c' ? ':-:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Main-table rows, cut to maxRows with a row saying how many were left out. */
export function cappedRows(rows: string[][], maxRows: number, width: number): string[][] {
  if (rows.length <= maxRows) return rows;
  const more = [
    `… ${count(rows.length - maxRows)} more subjects: see the results artifact`,
    ...Array<string>(width - 1).fill(''),
  ];
  return [...rows.slice(0, maxRows), more];
}

export const name = (text: string): string => escapeMarkdown(clip(text, 100));
export const firstLine = (text: string | null): string => (text ?? '').split('\n').find((l) => l.trim() !== '') ?? '';

export function okBootMs(r: SubjectResult): number[] {
  return r.boots.filter((b) => b.ok && finite(b.bootMs)).map((b) => b.bootMs!);
}

export function refLabel(r: SubjectResult): string | null {
  if (!r.ref && !r.commit) return null;
  const parts = [r.ref ? inlineCode(r.ref) : null, r.commit ? inlineCode(r.commit.slice(0, 12)) : null].filter(Boolean);
  return parts.join(' @ ');
}

export function safeUrl(url: string): string | null {
  if (!/^https?:\/\/[^\s]+$/.test(url)) return null;
  return url.replace(/[()<>[\]"'`\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function footer(runUrl: string | undefined): string | null {
  if (!runUrl) return null;
  const url = safeUrl(runUrl);
  return url
    ? `<sub>bootgate · [workflow run](${url})</sub>`
    : `<sub>bootgate · workflow run: ${escapeMarkdown(runUrl)}</sub>`;
}

/** The study's comparison line, when an Embox and a Rumprun subject were both measured. */
export function studyLine(results: readonly SubjectResult[], label: string): string | null {
  const embox = results.find((r) => r.os === 'embox');
  const rumprun = results.find((r) => r.os === 'rumprun');
  if (!embox || !rumprun) return null;
  const ms = (r: SubjectResult): string =>
    finite(r.summary.median) ? `${formatMs(r.summary.median)} ms` : 'no successful boot';
  return (
    `Embox vs Rumprun${label}: ${ms(embox)} vs ${ms(rumprun)} to httpd ready ` +
    '(the 2020 study measured 347 ms vs 366 ms on an i5-8250U; numbers here are from this runner)'
  );
}

export function bootTable(boots: readonly BootRecord[], maxRows: number): string {
  const rows = boots
    .slice(0, maxRows)
    .map((b) => [
      count(b.index + 1),
      b.ok ? 'yes' : 'no',
      formatMs(b.bootMs),
      formatMs(b.httpMs),
      b.instructions === null ? '—' : count(b.instructions),
      b.ok ? '' : escapeMarkdown(clip(firstLine(b.error), 120)),
    ]);
  let text = table(
    ['#', 'ok', 'boot ms', 'HTTP 200 ms', 'instructions', 'error'],
    ['r', 'c', 'r', 'r', 'r', 'l'],
    rows,
  );
  if (boots.length > maxRows) text += `\n\n… ${count(boots.length - maxRows)} more boots: see the results artifact`;
  return text;
}

export function sideDetails(label: string, r: SubjectResult, budget: Budget): string[] {
  const ref = refLabel(r);
  const warm = r.warmup.length > 0 ? `, ${count(r.warmup.length)} warm-up boots not counted` : '';
  const head = `**${label}**${ref ? ` (${ref})` : ''}: ${count(r.boots.length)} boots, ${count(r.boots.filter((b) => b.ok).length)} ok${warm}`;
  if (budget.rawRows <= 0 || r.boots.length === 0) return [head];
  return [head, bootTable(r.boots, budget.rawRows)];
}

export function qemuBlocks(sides: { label: string; r: SubjectResult }[]): string[] {
  const withCommand = sides.filter((s) => s.r.qemuCommand.length > 0);
  if (withCommand.length === 0) return [];
  const commands = withCommand.map((s) => quoteArgs(s.r.qemuCommand));
  // The results document records the forwarded host port as 0 (each boot gets a free one).
  const port = (c: string): string => (c.includes('hostfwd=') ? ', host port shown as 0' : '');
  if (commands.every((c) => c === commands[0])) {
    const who = withCommand.length > 1 ? ` (${withCommand.map((s) => s.label).join(' and ')})` : '';
    return [`QEMU command${who}${port(commands[0]!)}:`, codeBlock(commands[0]!, 'text')];
  }
  return withCommand.flatMap((s, i) => [
    `QEMU command (${s.label})${port(commands[i]!)}:`,
    codeBlock(commands[i]!, 'text'),
  ]);
}

/** Error and serial tail of failed boots; `kind` names them ("head boot", "boot"). */
export function tailBlocks(kind: string, failed: readonly BootRecord[], budget: Budget): string[] {
  if (failed.length === 0 || budget.tails <= 0) return [];
  const out: string[] = [];
  for (const b of failed.slice(0, budget.tails)) {
    const error = b.error ?? '(no error recorded)';
    const { text, cut } = keepEnd(error, budget.tailChars);
    // The first line says what went wrong, the end shows where the guest stopped: keep both.
    const shown = cut > 0 ? `${clip(firstLine(error), 200)}\n[… ${count(cut)} characters cut …]\n${text}` : text;
    out.push(`Failed ${kind} ${count(b.index + 1)}, error and serial tail:`, codeBlock(shown, 'text'));
  }
  if (failed.length > budget.tails)
    out.push(`… ${count(failed.length - budget.tails)} more failed ${kind}s: see the results artifact`);
  return out;
}

export function hostTable(docs: { label: string; host: HostFacts; createdAt: string; version: string }[]): string {
  const row = (field: string, pick: (h: HostFacts) => string): string[] => [
    field,
    ...docs.map((d) => escapeMarkdown(pick(d.host))),
  ];
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

export function partialNotes(docs: { label: string; doc: ResultsDocument }[]): string[] {
  return docs
    .filter((d) => d.doc.partial)
    .map((d) => `Note: the ${d.label} run was interrupted; its results hold only the boots recorded before that.`);
}

export function detailsBlock(parts: string[]): string {
  return [
    '<details><summary>Raw numbers, QEMU command, host</summary>',
    '',
    ...parts.flatMap((p) => [p, '']),
    '</details>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Subjects that could not be built: said in the verdict line, the table and a section of their own.

/** Subjects listed with their log tail; the rest are named only. */
export const MAX_NOT_BUILT_SHOWN = 5;

/** Each side that could not be built: which step, the first line of the error, the log's last lines. */
export function notBuiltSection(results: readonly SubjectResult[], budget: Budget): string | null {
  const failed = results.filter((r) => r.notBuilt);
  if (failed.length === 0) return null;
  const out = ['#### Not built', ''];
  for (const r of failed.slice(0, MAX_NOT_BUILT_SHOWN)) {
    const n = r.notBuilt!;
    const side = r.variant ? ` at ${r.variant}${r.commit ? ` (${inlineCode(r.commit.slice(0, 12))})` : ''}` : '';
    out.push(
      `**${name(r.name)}**${side} ${STAGE_PHRASE[n.stage] ?? STAGE_PHRASE.build}: ${escapeMarkdown(clip(n.reason, 300))}`,
      '',
    );
    if (n.tail.length > 0 && budget.tails > 0) {
      const { text, cut } = keepEnd(n.tail.join('\n'), budget.tailChars);
      out.push(codeBlock(cut > 0 ? `[… ${cut} characters cut …]\n${text}` : text, 'text'), '');
    }
  }
  if (failed.length > MAX_NOT_BUILT_SHOWN) {
    out.push(
      `… and ${failed.length - MAX_NOT_BUILT_SHOWN} more: ${failed
        .slice(MAX_NOT_BUILT_SHOWN)
        .map((r) => name(r.variant ? `${r.name} [${r.variant}]` : r.name))
        .join(', ')}`,
      '',
    );
  }
  return out.join('\n').trimEnd();
}

export const STAGE_PHRASE: Record<string, string> = {
  checkout: 'could not be checked out',
  build: 'does not build',
  config: 'cannot run as configured',
};
