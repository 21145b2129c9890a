import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { configFileSchema, type ConfigFile } from './schema.js';

/** Formats zod issues as `where.key: what was expected` lines. */
export function describeIssues(where: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const key = issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join('');
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}${key ? ` ${key}` : ''}: ${message}`;
    })
    .join('\n');
}

export function parseConfigText(text: string, fileName: string): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message : String(error);
    throw new ConfigError(`${fileName}: not valid YAML: ${detail}`);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(fileName, parsed.error.issues));
  const names = new Set<string>();
  for (const [i, subject] of parsed.data.subjects.entries()) {
    if (names.has(subject.name))
      throw new ConfigError(`${fileName} subjects[${i}].name: "${subject.name}" is used twice; expected unique names`);
    names.add(subject.name);
  }
  return parsed.data;
}

/** Reads and validates a bootgate.yml. Relative paths inside it are relative to its folder. */
export async function loadConfigFile(file: string): Promise<{ config: ConfigFile; baseDir: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { config: parseConfigText(text, path.basename(file)), baseDir: path.dirname(path.resolve(file)) };
}
