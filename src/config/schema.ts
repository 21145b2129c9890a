import { z } from 'zod';
import { parseModuleThresholdOrNull, parseThresholdOrNull } from './threshold.js';

/**
 * The subject settings a bootgate.yml may hold. Keys are kebab-case and each one has a
 * command-line flag of the same name (`start-marker` ↔ `--start-marker`), so a one-off run
 * needs no file.
 */
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/**
 * Ceilings of the numeric settings: past them a run would exhaust memory (runs: the verdict's
 * Hodges–Lehmann estimate sorts all base × head differences, 25 million at 5000 boots per side,
 * ~6 s and ~0.8 GB), overflow Node's timers (timeout: setTimeout holds at most 2^31 − 1 ms,
 * 24.8 days) or ask QEMU for nonsense.
 */
export const LIMITS = {
  runs: 5000,
  warmup: 1000,
  /** seconds */
  timeout: 86_400,
  /** MiB */
  memory: 65_536,
  jobs: 1024,
  'pin-cpu': 4095,
  /** deterministic boots side by side */
  parallel: 64,
} as const;
const atMost = (max: number, what: string) => ({ message: `expected at most ${max}${what}` });
const regexSource = z
  .string()
  .min(1)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected a valid regular expression' },
  );

export const OS_KINDS = ['custom', 'embox', 'rumprun'] as const;
export type OsKind = (typeof OS_KINDS)[number];

/** Rumprun's hw targets (`rumprun-bake <target> …`). */
export const BAKE_TARGETS = ['hw_virtio', 'hw_generic'] as const;
export type BakeTarget = (typeof BAKE_TARGETS)[number];
export const DEFAULT_BAKE_TARGET: BakeTarget = 'hw_virtio';

export const subjectSettingsShape = {
  os: z.enum(OS_KINDS),
  // custom guests: any kernel image
  kernel: z.string().min(1),
  initrd: z.string().min(1),
  append: z.string(),
  qemu: z.string().min(1),
  machine: z.string().min(1),
  memory: positiveInt.max(LIMITS.memory, atMost(LIMITS.memory, ' MiB')),
  'qemu-args': z.array(z.string()),
  nic: z.string().min(1),
  mac: z.string().regex(/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/, 'expected a MAC address like 52:54:00:12:34:56'),
  net: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'expected an IPv4 network like 10.0.2.0/24'),
  gateway: z.ipv4(),
  'guest-ip': z.ipv4(),
  'guest-port': z.number().int().min(1).max(65535),
  network: z.boolean(),
  'http-path': z.string().startsWith('/'),
  'start-marker': regexSource,
  'ready-marker': regexSource,
  'module-marker': regexSource,
  timeout: z.number().positive().max(LIMITS.timeout, atMost(LIMITS.timeout, ' seconds (one day)')),
  runs: positiveInt.max(LIMITS.runs, atMost(LIMITS.runs, ' counted boots')),
  warmup: nonNegativeInt.max(LIMITS.warmup, atMost(LIMITS.warmup, ' warm-up boots')),
  'pin-cpu': nonNegativeInt.max(LIMITS['pin-cpu'], atMost(LIMITS['pin-cpu'], '')),
  deterministic: z.boolean(),
  'start-symbol': z.string().min(1),
  'ready-symbol': z.string().min(1),
  // deterministic boots run at the same time (counts do not depend on host load)
  parallel: positiveInt.max(LIMITS.parallel, atMost(LIMITS.parallel, ' boots at once')),
  // a command (run with sh -c in the checkout or work tree) that builds a custom subject's image
  'build-command': z.string().min(1),
  // Embox and Rumprun checkouts
  source: z.string().min(1),
  template: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected an Embox template like x86/qemu')
    .refine((t) => t.split('/').every((segment) => !/^\.+$/.test(segment)), {
      message: 'expected an Embox template like x86/qemu, without "." or ".." parts',
    }),
  'download-dir': z.string().min(1),
  overrides: z.string().min(1),
  'build-dir': z.string().min(1),
  jobs: positiveInt.max(LIMITS.jobs, atMost(LIMITS.jobs, ' build jobs')),
  'bake-target': z.enum(BAKE_TARGETS),
  app: z.string().min(1),
  'app-build': z.string().min(1),
  // gating
  always: z.boolean(),
  // "5%" or "20ms" (a bare number is percent); see src/config/threshold.ts
  threshold: z.union([z.number(), z.string()]).refine((v) => parseThresholdOrNull(v) !== null, {
    message:
      'expected a threshold like "5%" (of the base median) or "20ms", greater than 0 and at most 100 % or 600000 ms',
  }),
  // any single module slower by at least this much is its own regression line, e.g. "10ms"
  'module-threshold': z.union([z.number(), z.string()]).refine((v) => parseModuleThresholdOrNull(v) !== null, {
    message: 'expected a time like "10ms", greater than 0',
  }),
  // adaptive gate: boot pairs until decided, at most this many counted boots per side
  'max-runs': positiveInt.max(LIMITS.runs, atMost(LIMITS.runs, ' counted boots')),
  'instructions-threshold': z.number().positive().max(100),
} as const;

export const subjectSettingsSchema = z.strictObject(subjectSettingsShape).partial();
export type SubjectSettings = z.infer<typeof subjectSettingsSchema>;
export type SubjectKey = keyof typeof subjectSettingsShape;
export const SUBJECT_KEYS = Object.keys(subjectSettingsShape) as SubjectKey[];

export const subjectEntrySchema = subjectSettingsSchema.extend({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'expected a name of letters, digits, ".", "_" or "-"'),
});
export type SubjectEntry = z.infer<typeof subjectEntrySchema>;

export const configFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  defaults: subjectSettingsSchema.optional(),
  subjects: z.array(subjectEntrySchema).min(1, 'expected at least one subject'),
});
export type ConfigFile = z.infer<typeof configFileSchema>;
