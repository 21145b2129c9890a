// The nightly history kept on the data branch: one JSON file per config and subject, holding one
// entry per nightly run (summary, raw per-boot numbers, host facts), newest last, capped.
import type { HostFacts, ImageSizes, ResultsDocument, SubjectResult } from '../../measure/results.js';

export const HISTORY_SCHEMA = 'bootgate/history@1';
/** Entries kept per subject: a year of nightly runs. */
export const HISTORY_RETENTION = 365;

export interface HistoryEntry {
  /** run identity: a re-run of the same workflow run attempt replaces its entry instead of adding one */
  id: string;
  at: string;
  commit: string;
  ref: string | null;
  runUrl: string | null;
  host: HostFacts;
  summary: {
    n: number;
    total: number;
    failed: number;
    median: number | null;
    ci95: [number, number] | null;
    cv: number | null;
    min: number | null;
    max: number | null;
    httpMedian: number | null;
    instructionsMedian: number | null;
  };
  /** per counted boot, in boot order; null where the boot failed or had no such number */
  bootMs: (number | null)[];
  httpMs: (number | null)[];
  instructions: (number | null)[];
  /** median init time of the slowest modules */
  modules: { name: string; medianMs: number }[];
  /** text/data/bss of the booted image (absent in entries written before it was recorded) */
  image?: ImageSizes | null;
}

export interface HistoryFile {
  schema: typeof HISTORY_SCHEMA;
  config: string;
  subject: string;
  os: string;
  entries: HistoryEntry[];
}

export interface RunIdentity {
  id: string;
  commit: string;
  ref: string | null;
  runUrl: string | null;
}

/** A folder name for a config path: `examples/fixture.yml` → `examples-fixture.yml`. */
export function configSlug(config: string): string {
  return config.replace(/^\.\//, '').replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'bootgate';
}

export function historyPaths(config: string, subject: string): { data: string; chart: string } {
  const dir = configSlug(config);
  const file = subject.replace(/[^\w.-]+/g, '_');
  return { data: `history/${dir}/${file}.json`, chart: `charts/${dir}/${file}.svg` };
}

export function entryFromResult(result: SubjectResult, doc: ResultsDocument, run: RunIdentity): HistoryEntry {
  const s = result.summary;
  return {
    id: run.id,
    at: doc.createdAt,
    commit: run.commit,
    ref: run.ref,
    runUrl: run.runUrl,
    host: doc.host,
    summary: {
      n: s.n,
      total: s.total,
      failed: s.failed,
      median: s.median ?? null,
      ci95: s.ci95 ?? null,
      cv: s.cv ?? null,
      min: s.min ?? null,
      max: s.max ?? null,
      httpMedian: s.http?.median ?? null,
      instructionsMedian: s.instructions?.median ?? null,
    },
    bootMs: result.boots.map((b) => (b.ok ? b.bootMs : null)),
    httpMs: result.boots.map((b) => (b.ok ? b.httpMs : null)),
    instructions: result.boots.map((b) => (b.ok ? b.instructions : null)),
    modules: s.modules.slice(0, 15).map((m) => ({ name: m.name, medianMs: m.medianMs })),
    image: result.image?.sizes ?? null,
  };
}

/** Parses a stored history file; a file of another schema or subject is an error, not overwritten. */
export function parseHistory(text: string, where: string): HistoryFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message}); fix or remove it on the data branch`);
  }
  const file = raw as Partial<HistoryFile>;
  if (file.schema !== HISTORY_SCHEMA || !Array.isArray(file.entries)) {
    throw new Error(`${where}: expected a bootgate history with "schema": "${HISTORY_SCHEMA}" and "entries"; fix or remove it on the data branch`);
  }
  return file as HistoryFile;
}

/**
 * The history with `entry` added (or replacing the entry of the same run), ordered by time,
 * keeping the newest `retention` entries.
 */
export function appendEntry(
  file: HistoryFile | null,
  entry: HistoryEntry,
  who: { config: string; subject: string; os: string },
  retention = HISTORY_RETENTION,
): HistoryFile {
  const entries = (file?.entries ?? []).filter((e) => e.id !== entry.id);
  entries.push(entry);
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    schema: HISTORY_SCHEMA,
    config: who.config,
    subject: who.subject,
    os: who.os,
    entries: entries.slice(-retention),
  };
}

/** Medians with the index of their entry (entries without a successful boot have none). */
export function medianSeries(file: HistoryFile): { values: number[]; entryIndex: number[] } {
  const values: number[] = [];
  const entryIndex: number[] = [];
  file.entries.forEach((e, i) => {
    if (e.summary.median !== null && Number.isFinite(e.summary.median)) {
      values.push(e.summary.median);
      entryIndex.push(i);
    }
  });
  return { values, entryIndex };
}
