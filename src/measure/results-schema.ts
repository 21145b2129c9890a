// The one schema every results document bootgate reads must pass (`compare`, report mode, the
// merge of shards). A document can come from a fork's artifact, so nothing in it is trusted: every
// number is finite (counts and indices whole), every string and array has a ceiling, and a field of
// the wrong type is refused with its path, never printed.
import { z } from 'zod';
import { LIMITS as CONFIG_LIMITS, OS_KINDS } from '../config/schema.js';
import { ConfigError } from '../config/errors.js';
import { describeIssues } from '../config/load.js';
import type { GuestSpec } from '../boot/guest.js';
import type { ModuleTime } from './modules.js';
import {
  RESULTS_SCHEMA,
  type BootRecord,
  type HostFacts,
  type NotBuilt,
  type ResultsDocument,
  type SubjectResult,
  type SubjectSummary,
} from './results.js';

/** Ceilings: far above what a real run writes (see MAX_RUNS), low enough that rendering stays cheap. */
export const RESULTS_LIMITS = {
  subjects: 1000,
  /** counted boots of one subject: what a config may ask for (shards split it), what the verdict can sort */
  boots: CONFIG_LIMITS.runs,
  /** warm-up boots of one subject: every one of up to 256 shards warms up */
  warmup: CONFIG_LIMITS.warmup * 256,
  modulesPerBoot: 10_000,
  qemuArgs: 1000,
  /** names, refs, versions, host facts */
  shortText: 1000,
  /** paths, markers, a QEMU argument */
  pathText: 4096,
  /** a failed boot's error with its serial tail */
  errorText: 2_000_000,
  /** lines of a build log kept for a subject that was not built (NOT_BUILT_TAIL_LINES writes 30) */
  notBuiltTail: 100,
} as const;

const L = RESULTS_LIMITS;
const short = z.string().max(L.shortText);
const pathText = z.string().max(L.pathText);
const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const nonNegative = finite.refine((x) => x >= 0, 'expected a number ≥ 0');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const ms = nonNegative;

const statsSchema = z.object({
  n: count,
  median: finite,
  mean: finite,
  min: finite,
  max: finite,
  stdev: nonNegative,
  cv: finite,
  ci95: z.tuple([finite, finite]),
});

const moduleTimeSchema = z.object({ name: short, ms: ms.nullable(), instructions: count.optional() });

const bootSchema = z.object({
  index: count.max(L.warmup),
  sequence: count,
  ok: z.boolean(),
  bootMs: ms.nullable(),
  httpMs: ms.nullable(),
  instructions: count.nullable(),
  modules: z.array(moduleTimeSchema).max(L.modulesPerBoot),
  phases: z
    .array(z.object({ name: short, ms }))
    .max(L.modulesPerBoot)
    .optional(),
  error: z.string().max(L.errorText).nullable(),
  log: pathText.nullable(),
});

const summarySchema = z.object({
  n: count,
  total: count,
  failed: count,
  median: finite.optional(),
  mean: finite.optional(),
  min: finite.optional(),
  max: finite.optional(),
  stdev: nonNegative.optional(),
  cv: finite.optional(),
  ci95: z.tuple([finite, finite]).optional(),
  http: statsSchema.nullable(),
  instructions: statsSchema.nullable(),
  modules: z.array(z.object({ name: short, medianMs: ms, n: count })).max(L.modulesPerBoot),
  moduleInstructions: z
    .array(z.object({ name: short, medianInstructions: nonNegative, n: count }))
    .max(L.modulesPerBoot)
    .optional(),
  unattributedInstructions: finite.nullable().optional(),
});

const networkSchema = z.object({
  nic: short,
  mac: short.optional(),
  net: short.optional(),
  gateway: short.optional(),
  guestIp: short,
  guestPort: count.max(65535),
  attach: z.enum(['device', 'board']).optional(),
});

const guestSchema = z.object({
  qemu: pathText,
  machine: pathText.optional(),
  memoryMb: count,
  kernel: pathText,
  loader: z.enum(['kernel', 'bios']).optional(),
  initrd: pathText.optional(),
  append: pathText.optional(),
  network: networkSchema.nullable(),
  httpPath: pathText,
  extraArgs: z.array(pathText).max(L.qemuArgs),
  startMarker: pathText,
  readyMarker: pathText,
  moduleMarker: pathText.nullable(),
  timeoutMs: nonNegative,
  pinCpu: count.optional(),
});

const notBuiltSchema = z.object({
  stage: z.enum(['checkout', 'build', 'config']),
  reason: short,
  tail: z.array(short).max(L.notBuiltTail),
  log: pathText.nullable(),
});

const subjectSchema = z.object({
  name: short.min(1),
  os: z.enum(OS_KINDS),
  variant: z.enum(['base', 'head']).nullable(),
  ref: short.nullable(),
  commit: short.nullable(),
  image: z
    .object({
      path: pathText,
      sizes: z.object({ text: count, data: count, bss: count, total: count.optional() }).nullable(),
    })
    .nullable(),
  build: z.object({ seconds: nonNegative, cached: z.boolean(), log: pathText.nullable() }).nullable(),
  guest: guestSchema.nullable(),
  qemuCommand: z.array(pathText).max(L.qemuArgs),
  deterministic: z.boolean(),
  warmup: z.array(bootSchema).max(L.warmup),
  boots: z.array(bootSchema).max(L.boots),
  summary: summarySchema,
  notBuilt: notBuiltSchema.nullable().optional(),
  sequential: z
    .object({
      looks: z.array(count.min(1).max(L.boots)).min(1).max(L.boots),
      maxPerSide: count.min(1).max(L.boots),
      final: z.boolean(),
    })
    .optional(),
  identicalImage: z.enum(['same bytes', 'same loaded sections']).optional(),
});

const hostSchema = z.object({
  cpu: short,
  cores: count,
  os: short,
  kernel: short,
  qemu: short,
  node: short,
  compiler: short.nullable(),
});

export const resultsDocumentSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  tool: z.object({ name: z.literal('bootgate'), version: short }),
  createdAt: short,
  host: hostSchema,
  partial: z.boolean(),
  subjects: z.array(subjectSchema).max(L.subjects),
});

// Compile-time guard: a field added to the TypeScript types must be added here too (and the other
// way round), or the schema would drop it silently on read.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
const keysMatch: [
  SameKeys<z.infer<typeof resultsDocumentSchema>, ResultsDocument>,
  SameKeys<z.infer<typeof subjectSchema>, SubjectResult>,
  SameKeys<z.infer<typeof bootSchema>, BootRecord>,
  SameKeys<z.infer<typeof summarySchema>, SubjectSummary>,
  SameKeys<z.infer<typeof hostSchema>, HostFacts>,
  SameKeys<z.infer<typeof guestSchema>, GuestSpec>,
  SameKeys<z.infer<typeof networkSchema>, NonNullable<GuestSpec['network']>>,
  SameKeys<z.infer<typeof moduleTimeSchema>, ModuleTime>,
  SameKeys<z.infer<typeof notBuiltSchema>, NotBuilt>,
] = [true, true, true, true, true, true, true, true, true];
void keysMatch;

/** At most this many problems are listed: a hostile file may hold millions. */
const MAX_ISSUES = 5;

/** A results document bootgate refuses: bad input, so the CLI exits 2. */
export class ResultsValidationError extends ConfigError {}

/**
 * The document, checked against the schema; throws a ResultsValidationError naming the first
 * offending fields (`base.json subjects[0].boots[2].bootMs: …`). Messages name paths of the
 * schema's own keys and array indices only, never a value from the document.
 */
export function parseResultsDocument(raw: unknown, where: string): ResultsDocument {
  const schemaTag = (raw as { schema?: unknown } | null)?.schema;
  if (typeof raw !== 'object' || raw === null || schemaTag !== RESULTS_SCHEMA) {
    throw new ResultsValidationError(
      `${where}: expected a bootgate results document with "schema": "${RESULTS_SCHEMA}"`,
    );
  }
  const parsed = resultsDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > MAX_ISSUES ? `\n${where}: … and ${issues.length - MAX_ISSUES} more problems` : '';
    throw new ResultsValidationError(`${describeIssues(where, issues.slice(0, MAX_ISSUES))}${more}`);
  }
  return parsed.data;
}
