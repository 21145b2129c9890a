import { readResults } from '../measure/results-file.js';
import type { ResultsDocument } from '../measure/results.js';
import { renderGateReport } from '../report/markdown.js';
import { compareResults, type Comparison, type GateOptions } from '../compare/index.js';

/** The gate's verdict from two results files written earlier (by measure, gate or the action). */
export async function runCompare(options: {
  baseFile: string;
  headFile: string;
  gate: GateOptions;
  title?: string;
}): Promise<{
  comparison: Comparison;
  markdown: string;
  base: ResultsDocument;
  head: ResultsDocument;
}> {
  const base = await readResults(options.baseFile);
  const head = await readResults(options.headFile);
  const comparison = compareResults(base.subjects, head.subjects, options.gate);
  const markdown = renderGateReport(comparison, { base, head, title: options.title });
  return { comparison, markdown, base, head };
}
