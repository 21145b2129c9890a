// The nightly history kept on the data branch: one JSON file per config and subject, holding one
// entry per nightly run (summary, raw per-boot numbers, host facts), newest last, capped.
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../config/load.js';
import type { HostFacts, ImageSizes, ResultsDocument, SubjectResult } from '../measure/results.js';

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
  image?: (Pick<ImageSizes, 'text' | 'data' | 'bss'> & { total?: number }) | null;
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

/** `./ci//x.yml` and `ci/x.yml` name the same file, so they share a history. */
export function normalizeConfigPath(config: string): string {
  return path.posix.normalize(config.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
}

/**
 * A folder name for a config path, one per path and never shared: letters, digits, `_`, `-` and
 * `.` stay, `/` becomes `+`, any other byte (and a leading `.`) becomes `~` and two hex digits.
 * `ci/x.yml` → `ci+x.yml`, `ci-x.yml` → `ci-x.yml`, `ci x.yml` → `ci~20x.yml`.
 */
export function configSlug(config: string): string {
  const normalized = normalizeConfigPath(config);
  if (normalized === '' || normalized === '.') return 'bootgate';
  let out = '';
  for (const [i, ch] of [...normalized].entries()) {
    if (ch === '/') out += '+';
    else if (/[A-Za-z0-9_-]/.test(ch) || (ch === '.' && i > 0)) out += ch;
    else out += [...Buffer.from(ch, 'utf8')].map((b) => `~${b.toString(16).padStart(2, '0')}`).join('');
  }
  return out;
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

const MAX_TEXT = 1000;
const text = z.string().max(MAX_TEXT);
const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const count = z.number().int().nonnegative();
const MAX_BOOTS = 100_000;

const historyEntrySchema = z.object({
  id: text,
  at: text,
  commit: text,
  ref: text.nullable(),
  runUrl: z.string().max(4096).nullable(),
  host: z.object({
    cpu: text,
    cores: count,
    os: text,
    kernel: text,
    qemu: text,
    node: text,
    compiler: text.nullable(),
  }),
  summary: z.object({
    n: count,
    total: count,
    failed: count,
    median: finite.nullable(),
    ci95: z.tuple([finite, finite]).nullable(),
    cv: finite.nullable(),
    min: finite.nullable(),
    max: finite.nullable(),
    httpMedian: finite.nullable(),
    instructionsMedian: finite.nullable(),
  }),
  bootMs: z.array(finite.nullable()).max(MAX_BOOTS),
  httpMs: z.array(finite.nullable()).max(MAX_BOOTS),
  instructions: z.array(finite.nullable()).max(MAX_BOOTS),
  modules: z.array(z.object({ name: text, medianMs: finite })).max(1000),
  image: z.object({ text: count, data: count, bss: count, total: count.optional() }).nullable().optional(),
});

const historyFileSchema = z.object({
  schema: z.literal(HISTORY_SCHEMA),
  config: text,
  subject: text,
  os: text,
  entries: z.array(historyEntrySchema).max(10_000),
});

// Compile-time guard: a field added to HistoryEntry or HistoryFile must be added to the schema too.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
const keysMatch: [
  SameKeys<z.infer<typeof historyEntrySchema>, HistoryEntry>,
  SameKeys<z.infer<typeof historyFileSchema>, HistoryFile>,
] = [true, true];
void keysMatch;

/**
 * Parses a stored history file, checking every entry; a file of another schema, or of another
 * config or subject than `expected` (two names that once shared a folder), is an error, never
 * overwritten.
 */
export function parseHistory(text: string, where: string, expected?: { config: string; subject: string }): HistoryFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${where}: not valid JSON (${(error as Error).message.slice(0, 200)}); fix or remove it on the data branch`,
      { cause: error },
    );
  }
  const tag = raw as Partial<HistoryFile> | null;
  if (typeof raw !== 'object' || tag === null || tag.schema !== HISTORY_SCHEMA || !Array.isArray(tag.entries)) {
    throw new Error(
      `${where}: expected a bootgate history with "schema": "${HISTORY_SCHEMA}" and "entries"; fix or remove it on the data branch`,
    );
  }
  const parsed = historyFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${describeIssues(where, parsed.error.issues.slice(0, 5))}\n${where}: not a valid bootgate history; fix or remove it on the data branch`,
    );
  }
  const file = parsed.data;
  if (
    expected &&
    (normalizeConfigPath(file.config) !== normalizeConfigPath(expected.config) || file.subject !== expected.subject)
  ) {
    throw new Error(
      `${where}: holds the history of config "${file.config}", subject "${file.subject}", not of config "${expected.config}", subject "${expected.subject}"; ` +
        'refusing to mix them: move or remove it on the data branch',
    );
  }
  return file;
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

/** One line per entry: appending a night adds one line to the file's diff. */
export function serializeHistory(file: HistoryFile): string {
  const { entries, ...head } = file;
  const top = JSON.stringify(head).slice(0, -1);
  return `${top},"entries":[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}
