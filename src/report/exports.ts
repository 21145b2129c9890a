// Results in the formats other tools read: Bencher Metric Format (bencher run --adapter json),
// github-action-benchmark's `customSmallerIsBetter` JSON, and hyperfine-style CSV and Markdown
// tables. Each takes the measured subjects (for gate and compare: the head's).
import type { SubjectResult } from '../measure/results.js';
import type { Comparison } from '../compare/index.js';
import { stripControl } from './escape.js';
import { isMinMaxRange } from './notes.js';

/** https://bencher.dev/docs/reference/bencher-metric-format: benchmark → measure → metric. */
export type BencherMetric = { value: number; lower_value?: number; upper_value?: number };
export type BencherMetricFormat = Record<string, Record<string, BencherMetric>>;

/** Bencher measure slugs; `file-size` and `build-time` are Bencher's built-in measures (bytes, seconds). */
export const BMF_MEASURES = {
  boot: 'boot-time-ms',
  http: 'first-http-200-ms',
  instructions: 'instructions',
  imageSize: 'file-size',
  buildTime: 'build-time',
} as const;

const imageBytes = (r: SubjectResult): number | null => {
  const sizes = r.image?.sizes;
  if (!sizes) return null;
  return sizes.total ?? sizes.text + sizes.data + sizes.bss;
};

/** Subject names with a variant (gate results) keep their own benchmark name: the variant is not part of it. */
const benchmarkName = (r: SubjectResult): string => stripControl(r.name);

export function toBencherMetricFormat(subjects: readonly SubjectResult[]): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const r of subjects) {
    const s = r.summary;
    const measures: Record<string, BencherMetric> = {};
    if (s.median !== undefined) {
      measures[BMF_MEASURES.boot] = {
        value: s.median,
        ...(s.ci95 ? { lower_value: s.ci95[0], upper_value: s.ci95[1] } : {}),
      };
    }
    if (s.http)
      measures[BMF_MEASURES.http] = { value: s.http.median, lower_value: s.http.ci95[0], upper_value: s.http.ci95[1] };
    if (s.instructions)
      measures[BMF_MEASURES.instructions] = {
        value: s.instructions.median,
        lower_value: s.instructions.min,
        upper_value: s.instructions.max,
      };
    const bytes = imageBytes(r);
    if (bytes !== null) measures[BMF_MEASURES.imageSize] = { value: bytes };
    if (r.build && !r.build.cached) measures[BMF_MEASURES.buildTime] = { value: r.build.seconds };
    if (Object.keys(measures).length > 0) out[benchmarkName(r)] = measures;
  }
  return out;
}

/** One entry of github-action-benchmark's custom JSON (README: "name", "unit", "value", optional "range", "extra"). */
export interface BenchmarkActionEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

/** `customSmallerIsBetter` entries: boot time, first HTTP 200, instructions and image size, all smaller-is-better. */
export function toBenchmarkAction(subjects: readonly SubjectResult[], comparison?: Comparison): BenchmarkActionEntry[] {
  const out: BenchmarkActionEntry[] = [];
  for (const r of subjects) {
    const s = r.summary;
    const name = benchmarkName(r);
    const compared = comparison?.subjects.find((c) => c.name === r.name);
    if (s.median !== undefined) {
      const extra = [`n=${s.n}/${s.total}`];
      if (s.ci95)
        extra.push(
          `${isMinMaxRange(s) ? `min–max of ${s.n} boots (too few for a 95% CI)` : '95% CI of the median'} ${s.ci95[0].toFixed(2)}–${s.ci95[1].toFixed(2)} ms`,
        );
      if (s.cv !== undefined) extra.push(`CV ${(s.cv * 100).toFixed(2)} %`);
      if (compared?.boot)
        extra.push(`vs base ${compared.boot.pct >= 0 ? '+' : ''}${compared.boot.pct.toFixed(2)} % (${compared.state})`);
      out.push({
        name: `${name}: boot (start → ready)`,
        unit: 'ms',
        value: round(s.median),
        ...(s.ci95 ? { range: `± ${round((s.ci95[1] - s.ci95[0]) / 2)}` } : {}),
        extra: extra.join('\n'),
      });
    }
    if (s.http)
      out.push({
        name: `${name}: first HTTP 200`,
        unit: 'ms',
        value: round(s.http.median),
        range: `± ${round((s.http.ci95[1] - s.http.ci95[0]) / 2)}`,
      });
    if (s.instructions)
      out.push({ name: `${name}: instructions (start → ready)`, unit: 'instructions', value: s.instructions.median });
    const bytes = imageBytes(r);
    if (bytes !== null) out.push({ name: `${name}: image size (text+data+bss)`, unit: 'bytes', value: bytes });
  }
  return out;
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside. */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(round(value, 4)) : stripControl(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** hyperfine --export-csv, one row per subject; times in milliseconds. */
export function toCsv(subjects: readonly SubjectResult[]): string {
  const header = [
    'subject',
    'variant',
    'mean_ms',
    'stddev_ms',
    'median_ms',
    'min_ms',
    'max_ms',
    'ci95_low_ms',
    'ci95_high_ms',
    'ok',
    'total',
    'http_median_ms',
    'instructions_median',
    'image_bytes',
  ];
  const rows = subjects.map((r) => {
    const s = r.summary;
    return [
      r.name,
      r.variant ?? '',
      s.mean,
      s.stdev,
      s.median,
      s.min,
      s.max,
      s.ci95?.[0],
      s.ci95?.[1],
      s.n,
      s.total,
      s.http?.median,
      s.instructions?.median,
      imageBytes(r),
    ]
      .map(csvField)
      .join(',');
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** A table cell: pipes and line breaks would end the cell, backticks the code span. */
const cell = (text: string): string =>
  stripControl(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/`/g, 'ˋ');

/** hyperfine --export-markdown: mean ± σ, min, max, and each subject relative to the fastest. */
export function toMarkdownTable(subjects: readonly SubjectResult[]): string {
  const lines = [
    '| Subject | Mean [ms] | Median [ms] | Min [ms] | Max [ms] | Relative |',
    '|:---|---:|---:|---:|---:|---:|',
  ];
  const measured = subjects.filter((r) => r.summary.mean !== undefined);
  const fastest = measured.reduce<SubjectResult | null>(
    (best, r) => (best === null || r.summary.mean! < best.summary.mean! ? r : best),
    null,
  );
  const fastMean = fastest?.summary.mean ?? 1;
  const fastCv = (fastest?.summary.stdev ?? 0) / fastMean;
  for (const r of subjects) {
    const s = r.summary;
    const name = `\`${cell(r.variant ? `${r.name} [${r.variant}]` : r.name)}\``;
    if (s.mean === undefined) {
      lines.push(`| ${name} | — | — | — | — | — |`);
      continue;
    }
    // as hyperfine: the ratio of means, its σ propagated from both relative σs
    const relative = s.mean / fastMean;
    const relativeSd = relative * Math.sqrt(((s.stdev ?? 0) / s.mean) ** 2 + fastCv ** 2);
    lines.push(
      `| ${name} | ${s.mean.toFixed(1)} ± ${(s.stdev ?? 0).toFixed(1)} | ${s.median!.toFixed(1)} | ${s.min!.toFixed(1)} | ${s.max!.toFixed(1)} | ${r === fastest ? '1.00' : `${relative.toFixed(2)} ± ${relativeSd.toFixed(2)}`} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface ExportTargets {
  bmf?: string;
  benchmarkAction?: string;
  csv?: string;
  markdown?: string;
}

/** Writes each requested export; returns the files written. */
export async function writeExports(
  targets: ExportTargets,
  subjects: readonly SubjectResult[],
  comparison?: Comparison,
): Promise<string[]> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const written: string[] = [];
  const put = async (file: string | undefined, text: string): Promise<void> => {
    if (!file) return;
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, text);
    written.push(file);
  };
  await put(targets.bmf, `${JSON.stringify(toBencherMetricFormat(subjects), null, 2)}\n`);
  await put(targets.benchmarkAction, `${JSON.stringify(toBenchmarkAction(subjects, comparison), null, 2)}\n`);
  await put(targets.csv, toCsv(subjects));
  await put(targets.markdown, toMarkdownTable(subjects));
  return written;
}
