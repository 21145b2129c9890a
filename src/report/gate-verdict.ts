// The gate report's verdict: the one verdict line, the main table and one decision line per subject.
// Each subject's decision was taken by src/compare/; these print it (what decided, with which
// threshold and boots), never decide again.
import type { Comparison, SubjectComparison } from '../compare/index.js';
import { cappedRows, name, NO_HTTP_CHECK, table } from './blocks.js';
import { clip, escapeMarkdown } from './escape.js';
import { DECIDED_BY } from './notes.js';
import {
  ciLabel,
  count,
  finite,
  formatCi,
  formatMs,
  formatP,
  formatPct,
  formatPlain,
  signedCount,
  STATE_WORD,
} from './format.js';

/** One subject's part of the verdict line: what changed, by how much, how sure. */
export function headline(s: SubjectComparison): string {
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
      if (ins.delta === null || ins.pct === null || ins.base === null || ins.head === null)
        return `${who}: ${escapeMarkdown(ins.reason)}`;
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

export function verdictLine(c: Comparison): string {
  const word = `**${STATE_WORD[c.state]}**`;
  if (c.subjects.length === 0) {
    const one =
      c.unmatched.length > 0 ? ` (measured on one side only: ${c.unmatched.slice(0, 5).map(name).join(', ')})` : '';
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
      ...new Set(
        deciding
          .filter((s) => s.decision.by === 'instructions')
          .map((s) => `${formatPlain(s.decision.instructionsThresholdPct)} % instructions`),
      ),
    ];
    if (thresholds.length > 0) line += `; within ±${thresholds.join(' / ±')}`;
  }
  // Head failures decide a subject only when every base boot succeeded (then its headline says so);
  // when the base failed too, they are still said here.
  const failureNotes = c.subjects
    .filter(
      (s) =>
        s.decision.by !== 'head boot failures' && s.decision.boots.headFailed > 0 && s.decision.boots.baseFailed > 0,
    )
    .map((s) => {
      const b = s.decision.boots;
      return `${name(s.name)}: ${count(b.headFailed)} of ${count(b.head)} head boots failed (base: ${count(b.baseFailed)} of ${count(b.base)})`;
    });
  if (failureNotes.length > 0)
    line += `; also ${failureNotes.slice(0, 3).join('; ')}${failureNotes.length > 3 ? `; and ${count(failureNotes.length - 3)} more` : ''}`;
  return line;
}

/** One line per subject: what decided it, the threshold it was judged with and the boots the decision took. */
export function decisionLines(c: Comparison): string[] {
  return c.subjects.map((s) => {
    const d = s.decision;
    const parts = [`decided by ${DECIDED_BY[d.by]}${d.test ? ` (${d.test})` : ''}`];
    if (d.by === 'instructions') parts.push(`instruction threshold ±${formatPlain(d.instructionsThresholdPct)} %`);
    else
      parts.push(
        `threshold ${escapeMarkdown(d.threshold.text)}${d.threshold.ms !== null && finite(d.threshold.pctOfBase) ? ` (${d.threshold.pctOfBase.toFixed(1)} % of the base median)` : ''}`,
      );
    if (d.moduleThreshold)
      parts.push(
        `module threshold ${formatPlain(d.moduleThreshold.ms)} ms (${count(d.moduleThreshold.slower)} module(s) over it)`,
      );
    const used = `${count(d.boots.base)} + ${count(d.boots.head)} boots${d.boots.warmup > 0 ? ` (and ${count(d.boots.warmup)} warm-up)` : ''}`;
    if (d.by === 'identical image') {
      parts.push(`identical image (${d.identicalImage}): no boots`);
    } else if (d.by === 'not built') {
      parts.push(`${d.notBuilt === 'both' ? 'base and head' : d.notBuilt} not built: no boots compared`);
    } else if (d.mode === 'adaptive' && s.sequential) {
      const q = s.sequential;
      const why = s.state !== 'inconclusive' ? 'decided' : q.final ? 'cap reached' : 'stopped';
      parts.push(
        `${used}, adaptive: ${why} at look ${count(q.look)} (looks at ${q.looks.map((n) => count(n)).join(', ')} of at most ${count(q.maxPerSide)} per side; this look needs p < ${q.pLevel.toPrecision(2)} and uses a ${ciLabel(q.ciLevel).replace(' CI', '')} repeated CI)`,
      );
    } else {
      parts.push(`${used}, fixed count`);
    }
    const sp = s.spread;
    if (sp && d.by !== 'identical image') {
      const ratio = sp.madRatio !== null && finite(sp.madRatio) ? `spread (MAD) ×${sp.madRatio.toFixed(2)}, ` : '';
      const flag = sp.p < d.alpha ? ' — **the shape or spread changed**' : '';
      parts.push(
        `${ratio}shape: KS D = ${sp.d.toFixed(2)} (p = ${sp.p < 0.001 ? sp.p.toExponential(1) : sp.p.toPrecision(2)}) on median-centred boots, not gated${flag}`,
      );
    }
    return `- ${name(s.name)}: ${parts.join(' · ')}`;
  });
}

export function subjectVerdict(s: SubjectComparison): string {
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

export function imageDelta(s: SubjectComparison): string {
  const d = s.imageDelta;
  if (!d) return '—';
  return `${signedCount(d.text + d.data + d.bss)} B`;
}

export function mainGateTable(c: Comparison, maxRows: number): string {
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
    const http =
      finite(httpBase) || finite(httpHead)
        ? `${formatMs(httpBase)} → ${formatMs(httpHead)}`
        : s.head.guest?.network === null
          ? NO_HTTP_CHECK
          : '—';
    const boots = `${count(s.base.summary.n)}/${count(s.base.summary.total)} / ${count(s.head.summary.n)}/${count(s.head.summary.total)}`;
    return [
      name(s.name),
      formatMs(baseMedian),
      formatMs(headMedian),
      delta,
      p,
      boots,
      http,
      imageDelta(s),
      subjectVerdict(s),
    ];
  });
  return table(header, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'], cappedRows(rows, maxRows, header.length));
}
