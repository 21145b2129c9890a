import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { clip, stripControl } from '../text/clean.js';
import { parseResultsDocument, ResultsValidationError } from './results-schema.js';
import { VERSION } from '../config/version.js';
import { RESULTS_SCHEMA, type HostFacts, type ResultsDocument, type SubjectResult } from './results.js';

export const TOOL_VERSION = VERSION;

export function resultsDocument(subjects: SubjectResult[], host: HostFacts, partial: boolean): ResultsDocument {
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'bootgate', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    host,
    partial,
    subjects,
  };
}

export async function writeResults(file: string, doc: ResultsDocument): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
}

/** Larger files are refused before parsing: a results document of 10,000 boots is a few MB. */
export const MAX_RESULTS_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a results document and checks it against the schema (src/measure/results-schema.ts).
 * Unreadable, oversized, non-JSON and invalid files throw a ConfigError (CLI exit 2); one that
 * fails the schema throws its subclass ResultsValidationError naming the field.
 */
export async function readResults(file: string, maxBytes = MAX_RESULTS_FILE_BYTES): Promise<ResultsDocument> {
  let text: string;
  try {
    const { size } = await stat(file);
    if (size > maxBytes)
      throw new ResultsValidationError(`${file}: ${size} bytes; refusing a results file over ${maxBytes} bytes`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `${file}: cannot read the results file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the file; keep it short and free of control characters.
    throw new ResultsValidationError(
      `${file}: not a JSON results file (${clip(stripControl((error as Error).message), 160)})`,
    );
  }
  return parseResultsDocument(raw, file);
}
