import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VERSION } from '../version.js';
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

/** Reads a results document, checking it is one bootgate understands. */
export async function readResults(file: string): Promise<ResultsDocument> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not a readable JSON results file (${(error as Error).message})`);
  }
  const doc = raw as Partial<ResultsDocument>;
  if (doc.schema !== RESULTS_SCHEMA) {
    throw new Error(`${file}: expected a bootgate results document with "schema": "${RESULTS_SCHEMA}", got ${JSON.stringify(doc.schema ?? null)}`);
  }
  if (!Array.isArray(doc.subjects)) throw new Error(`${file}: "subjects" must be an array`);
  return doc as ResultsDocument;
}
