// The export formats' documented shapes, written from their documentation as zod schemas:
// - Bencher Metric Format, https://bencher.dev/docs/reference/bencher-metric-format (its JSON
//   Schema https://bencher.dev/bmf.json): an object of benchmark names, each an object of measure
//   names/slugs, each { value: number, lower_value?: number, upper_value?: number }; measure slugs
//   at most 64 characters, benchmark names at most 1024.
// - github-action-benchmark, README "Examples" for customSmallerIsBetter: an array of
//   { name: string, unit: string, value: number, range?: string, extra?: string }.
import { z } from 'zod';

export const bencherMetricFormat = z.record(
  z.string().min(1).max(1024),
  z.record(
    z.string().min(1).max(64),
    z.object({ value: z.number(), lower_value: z.number().optional(), upper_value: z.number().optional() }).strict(),
  ),
);

export const benchmarkActionCustom = z.array(
  z
    .object({
      name: z.string().min(1),
      unit: z.string().min(1),
      value: z.number(),
      range: z.string().optional(),
      extra: z.string().optional(),
    })
    .strict(),
);
