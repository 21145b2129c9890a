import path from 'node:path';
import { ConfigError } from './errors.js';
import { describeIssues } from './load.js';
import { subjectSettingsSchema, type ConfigFile, type OsKind, type SubjectSettings } from './schema.js';

/** One thing to boot and measure, with every setting merged: file defaults < subject < flags. */
export interface Subject {
  name: string;
  os: OsKind;
  settings: SubjectSettings;
}

/** The settings that are paths: relative ones are resolved against the config file's folder (flags: the cwd). */
export const PATH_KEYS = ['kernel', 'initrd', 'source', 'download-dir', 'overrides', 'build-dir', 'app'] as const;
/**
 * The path settings that may point into the checkout, and so into a gated variant's work tree;
 * build-dir is where outputs go, never remapped.
 */
export const CHECKOUT_PATH_KEYS = PATH_KEYS.filter((key) => key !== 'build-dir');

function resolvePaths(settings: SubjectSettings, baseDir: string): SubjectSettings {
  const out: SubjectSettings = { ...settings };
  for (const key of PATH_KEYS) {
    const value = out[key];
    if (value !== undefined) out[key] = path.resolve(baseDir, value);
  }
  return out;
}

/** Validates settings that came from command-line flags (already converted to the schema's types). */
export function validateFlagSettings(flags: Record<string, unknown>): SubjectSettings {
  const parsed = subjectSettingsSchema.safeParse(flags);
  if (!parsed.success) {
    throw new ConfigError(
      describeIssues('command line', parsed.error.issues).replace(/command line (\S+):/g, 'command line --$1:'),
    );
  }
  return parsed.data;
}

export interface ResolveOptions {
  file?: { config: ConfigFile; baseDir: string };
  flags: SubjectSettings;
  /** name for the single subject of a run without a file */
  name?: string;
  /** names (or "all") to keep from the file */
  only?: string[];
  cwd?: string;
}

export function resolveSubjects(options: ResolveOptions): Subject[] {
  const cwd = options.cwd ?? process.cwd();
  const flags = resolvePaths(options.flags, cwd);
  if (!options.file) {
    if (!flags.os)
      throw new ConfigError("command line: give --config FILE, or --os custom|embox|rumprun with the subject's flags");
    return [finish(options.name ?? flags.os, flags, 'command line')];
  }
  const { config, baseDir } = options.file;
  const defaults = resolvePaths(config.defaults ?? {}, baseDir);
  let entries = config.subjects;
  if (options.only && options.only.length > 0 && !options.only.includes('all')) {
    const known = new Set(entries.map((s) => s.name));
    const unknown = options.only.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new ConfigError(
        `--subject: no subject named ${unknown.map((n) => `"${n}"`).join(', ')}; expected one of ${[...known].join(', ')}`,
      );
    }
    entries = entries.filter((s) => options.only!.includes(s.name));
  }
  return entries.map((entry, i) => {
    const { name, ...own } = entry;
    return finish(name, { ...defaults, ...resolvePaths(own, baseDir), ...flags }, `subjects[${i}] (${name})`);
  });
}

function finish(name: string, settings: SubjectSettings, where: string): Subject {
  const os = settings.os;
  if (!os) throw new ConfigError(`${where}: missing "os"; expected one of custom, embox, rumprun`);
  if (os === 'custom' && !settings.kernel)
    throw new ConfigError(`${where}: os "custom" needs "kernel" (--kernel PATH): the image QEMU boots`);
  // Rumprun without a checkout: bootgate clones the pinned commit (src/build/rumprun/checkout.ts).
  if (os === 'embox' && !settings.source) {
    throw new ConfigError(`${where}: os "embox" needs "source" (--source PATH): the Embox checkout`);
  }
  return { name, os, settings };
}
