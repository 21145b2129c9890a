// The dashboard's data from what bootgate stores: nightly history files (one per subject) or
// results documents (measure output, or a gate's base.json and head.json).
import { detectChangePoints } from '../../stats/change-points.js';
import { medianSeries, type HistoryEntry, type HistoryFile } from '../../history/model.js';
import type { ResultsDocument, SubjectResult } from '../../measure/results.js';
import { TOOL_VERSION } from '../../measure/results-file.js';
import { stripControl } from '../escape.js';
import {
  OTHER_MODULES,
  STACKED_MODULES,
  type DashboardData,
  type ResultsSubject,
  type RunSide,
  type TrendPoint,
  type TrendSubject,
} from './model.js';

/** An http(s) URL as given, or null: nothing else (javascript:, data:) may become a link. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** `https://github.com/owner/repo/commit/<sha>` when the commit is a hex SHA. */
export function commitUrl(repoUrl: string | null, commit: string): string | null {
  const base = safeUrl(repoUrl);
  if (!base || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  return `${base.replace(/\/+$/, '')}/commit/${commit}`;
}

const finite = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

const entryImageBytes = (e: HistoryEntry): number | null => {
  const s = e.image;
  if (!s) return null;
  return finite(s.total ?? s.text + s.data + s.bss);
};

/** The modules drawn separately: the largest peak medians over the whole history. */
function pickModules(entries: readonly HistoryEntry[]): { shown: string[]; folded: boolean } {
  const peak = new Map<string, number>();
  for (const e of entries)
    for (const m of e.modules ?? []) peak.set(m.name, Math.max(peak.get(m.name) ?? 0, m.medianMs));
  const ranked = [...peak.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  return { shown: ranked.slice(0, STACKED_MODULES), folded: ranked.length > STACKED_MODULES };
}

export interface TrendOptions {
  /** https://github.com/owner/repo: commit links are made from it */
  repoUrl: string | null;
  alpha: number;
  thresholdPct: number;
}

export function trendFromHistory(file: HistoryFile, options: TrendOptions): TrendSubject {
  const { shown, folded } = pickModules(file.entries);
  const points: TrendPoint[] = file.entries.map((e) => {
    const modules: Record<string, number> = {};
    let other = 0;
    for (const m of e.modules ?? []) {
      if (!Number.isFinite(m.medianMs)) continue;
      if (shown.includes(m.name)) modules[m.name] = m.medianMs;
      else other += m.medianMs;
    }
    if (folded) modules[OTHER_MODULES] = other;
    return {
      at: String(e.at),
      commit: String(e.commit),
      commitUrl: commitUrl(options.repoUrl, String(e.commit)),
      runUrl: safeUrl(e.runUrl),
      median: finite(e.summary.median),
      ciLow: finite(e.summary.ci95?.[0]),
      ciHigh: finite(e.summary.ci95?.[1]),
      httpMedian: finite(e.summary.httpMedian),
      instructionsMedian: finite(e.summary.instructionsMedian),
      imageBytes: entryImageBytes(e),
      n: e.summary.n,
      total: e.summary.total,
      modules,
    };
  });
  const { values, entryIndex } = medianSeries(file);
  const changePoints = detectChangePoints(values, { alpha: options.alpha, minShiftPct: options.thresholdPct }).map(
    (cp) => ({
      index: entryIndex[cp.index]!,
      direction: cp.direction,
      shiftPct: cp.shiftPct,
      beforeMedian: cp.beforeMedian,
      afterMedian: cp.afterMedian,
      p: cp.p,
    }),
  );
  return {
    name: stripControl(file.subject),
    os: stripControl(file.os),
    config: stripControl(file.config),
    points,
    changePoints,
    moduleNames: folded ? [...shown, OTHER_MODULES] : shown,
  };
}

export function historyDashboard(
  files: readonly HistoryFile[],
  options: TrendOptions & { title: string; subtitle: string },
): DashboardData {
  return {
    schema: 'bootgate/dashboard@1',
    kind: 'history',
    title: options.title,
    subtitle: options.subtitle,
    generatedAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    trends: files.map((f) => trendFromHistory(f, options)),
    results: [],
  };
}

const okNumbers = (r: SubjectResult, pick: (b: SubjectResult['boots'][number]) => number | null): number[] =>
  r.boots
    .filter((b) => b.ok)
    .map(pick)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function side(r: SubjectResult, label: string): RunSide {
  const sizes = r.image?.sizes;
  return {
    label,
    commit: r.commit,
    bootMs: okNumbers(r, (b) => b.bootMs),
    httpMs: okNumbers(r, (b) => b.httpMs),
    instructions: okNumbers(r, (b) => b.instructions),
    failed: r.summary.failed,
    total: r.summary.total,
    median: finite(r.summary.median),
    ciLow: finite(r.summary.ci95?.[0]),
    ciHigh: finite(r.summary.ci95?.[1]),
    httpMedian: finite(r.summary.http?.median),
    instructionsMedian: finite(r.summary.instructions?.median),
    imageBytes: sizes ? finite(sizes.total ?? sizes.text + sizes.data + sizes.bss) : null,
    modules: r.summary.modules.map((m) => ({ name: stripControl(m.name), medianMs: m.medianMs })),
  };
}

/**
 * One subject per name, with one side per document that has it. A side is labelled by the
 * subject's variant (base/head) when it has one, else by the file's label.
 */
export function resultsDashboard(
  docs: readonly { label: string; doc: ResultsDocument }[],
  title: string,
): DashboardData {
  const subjects = new Map<string, ResultsSubject>();
  for (const { label, doc } of docs) {
    for (const r of doc.subjects) {
      const name = stripControl(r.name);
      const entry = subjects.get(name) ?? { name, os: stripControl(r.os), sides: [] };
      entry.sides.push(side(r, r.variant ?? label));
      subjects.set(name, entry);
    }
  }
  return {
    schema: 'bootgate/dashboard@1',
    kind: 'results',
    title,
    subtitle: docs.map((d) => d.label).join(' · '),
    generatedAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    trends: [],
    results: [...subjects.values()],
  };
}
