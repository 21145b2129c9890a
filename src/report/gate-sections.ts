// The gate report's sections under the main table: instruction counts (deterministic boots), where
// the time went (phases), module init times and instructions, and the boot-time charts.
import type { Comparison, SubjectComparison } from '../compare/index.js';
import type { SubjectResult } from '../measure/results.js';
import { MAX_CHARTS, name, okBootMs, OUTSIDE_MODULES, table, TOP_MODULES } from './blocks.js';
import { count, finite, formatMs2, formatPct, formatPlain, signedCount, signedMs, STATE_WORD } from './format.js';
import { bootTimesChart } from './mermaid.js';

export function distinctCountNote(label: string, r: SubjectResult): string | null {
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
  return (
    c.subjects.find(
      (o) => o !== s && !o.head.deterministic && !o.base.deterministic && o.head.guest?.kernel === kernel,
    ) ?? null
  );
}

export function instructionsSection(c: Comparison): string | null {
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
      ...(paired
        ? [
            pair
              ? `${name(pair.name)}: ${STATE_WORD[pair.state]}${pair.boot && finite(pair.boot.pct) ? ` (${formatPct(pair.boot.pct)})` : ''}`
              : '—',
          ]
        : []),
    ];
  });
  const notes = subjects.flatMap((s) =>
    [distinctCountNote('base', s.base), distinctCountNote('head', s.head)]
      .filter((n): n is string => n !== null)
      .map((n) => `- ${name(s.name)}: ${n}`),
  );
  return [
    '#### Instructions to ready (deterministic boots)',
    '',
    table(
      [
        'subject',
        'base instructions',
        'head instructions',
        'Δ',
        'Δ %',
        'verdict',
        ...(paired ? ['same image, wall-clock'] : []),
      ],
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

export function modulesSection(c: Comparison): string | null {
  const parts: string[] = [];
  for (const s of c.subjects) {
    if (s.modules.length === 0) continue;
    const rows = s.modules
      .slice(0, TOP_MODULES)
      .map((m) => [name(m.name), formatMs2(m.baseMs), formatMs2(m.headMs), signedMs(m.deltaMs)]);
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
export function phasesSection(c: Comparison): string | null {
  const parts: string[] = [];
  for (const s of c.subjects) {
    if (s.phases.length === 0) continue;
    const shown = s.phases.filter((p) => Math.abs(p.deltaMs) >= 0.5 || p.baseMs === null || p.headMs === null);
    const rest = s.phases.filter((p) => !shown.includes(p));
    const rows = shown
      .slice(0, 20)
      .map((p) => [name(p.name), formatMs2(p.baseMs), formatMs2(p.headMs), signedMs(p.deltaMs)]);
    if (rest.length > 0) {
      const sum = (pick: (p: (typeof rest)[number]) => number | null): number =>
        rest.reduce((a, p) => a + (pick(p) ?? 0), 0);
      rows.push([
        `${rest.length} other phases (each within ±0.5 ms)`,
        formatMs2(sum((p) => p.baseMs)),
        formatMs2(sum((p) => p.headMs)),
        signedMs(sum((p) => p.deltaMs)),
      ]);
    }
    parts.push(
      `Phases of ${name(s.name)}, in boot order (median ms over successful boots; "script:" rows are the start-script commands the guest echoes):`,
      '',
    );
    parts.push(table(['phase', 'base ms', 'head ms', 'Δ ms'], ['l', 'r', 'r', 'r'], rows), '');
  }
  if (parts.length === 0) return null;
  return ['#### Where the time went', '', ...parts].join('\n').trimEnd();
}

/** Deterministic subjects: each module's init in instructions, base vs head, biggest change first. */
export function moduleInstructionsSection(c: Comparison): string | null {
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
    parts.push(
      `Modules of ${name(s.name)} whose init instructions changed most${more}; the last row is the rest of the count:`,
      '',
    );
    parts.push(table(['module', 'base instructions', 'head instructions', 'Δ'], ['l', 'r', 'r', 'r'], rows), '');
  }
  if (parts.length === 0) return null;
  return ['#### Module init instructions (deterministic boots)', '', ...parts].join('\n').trimEnd();
}

export function gateCharts(c: Comparison): string | null {
  const drawable = c.subjects.filter((s) => okBootMs(s.base).length > 0 && okBootMs(s.head).length > 0);
  if (drawable.length === 0) return null;
  const charts = drawable
    .slice(0, MAX_CHARTS)
    .map((s) => bootTimesChart(`${s.name}: sorted boot times`, okBootMs(s.base), okBootMs(s.head)))
    .filter((x): x is string => x !== null);
  const more = drawable.length > MAX_CHARTS ? [`Charts for the first ${count(MAX_CHARTS)} subjects only.`] : [];
  return ['#### Boot times (ms), sorted: bars base, line head', '', ...charts.flatMap((ch) => [ch, '']), ...more]
    .join('\n')
    .trimEnd();
}
