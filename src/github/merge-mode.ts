// Shards: a pr-mode job with `shard: i/n` boots its share and uploads it with a small meta file;
// mode merge downloads every shard, merges their boots and decides once.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { z } from 'zod';
import type { Subject } from '../config/subjects.js';
import { describeIssues } from '../config/load.js';
import { DEFAULT_RUNS } from '../engine/measure.js';
import { gateOptions } from '../engine/gate-options.js';
import type { ResultsDocument } from '../measure/results.js';
import { readResults, writeResults } from '../measure/results-file.js';
import { renderGateReport } from '../report/markdown.js';
import { escapeMarkdown } from '../report/escape.js';
import type { VerdictState } from '../stats/index.js';
import { compareResults } from '../compare/index.js';
import { downloadShards, shardArtifactName, uploadFolder } from './artifacts.js';
import type { PullRequestInfo } from './context.js';
import type { ActionInputs, Shard } from './inputs.js';
import { requirePullRequest, type ModeContext } from './mode-context.js';
import { finishPr, reportingFailure } from './pr-finish.js';
import { setGateOutputs, writeJobSummary, type GateFiles } from './publish.js';
import type { Skipped } from './select.js';
import { mergeShardDocuments, shardRuns } from './shard.js';
import { loadConfig, type LoadedConfig } from './workspace.js';

export const SHARD_META_FILE = 'bootgate-shard.json';

interface ShardMeta {
  schema: 'bootgate/shard@1';
  index: number;
  count: number;
  config: string;
  skipped: Skipped[];
  baseSha: string;
  headSha: string;
}

export function applyShard(
  subjects: Subject[],
  inputs: ActionInputs,
  shard: Shard | undefined,
): { subjects: Subject[]; runsOverride: number | undefined } {
  if (!shard) return { subjects, runsOverride: inputs.runs };
  if (inputs.runs !== undefined) return { subjects, runsOverride: shardRuns(inputs.runs, shard) };
  return {
    subjects: subjects.map((s) => ({
      ...s,
      settings: { ...s.settings, runs: shardRuns(s.settings.runs ?? DEFAULT_RUNS, shard) },
    })),
    runsOverride: undefined,
  };
}

export async function finishShard(
  ctx: ModeContext,
  config: LoadedConfig,
  shard: Shard,
  pr: PullRequestInfo,
  skipped: Skipped[],
  outDir: string,
  localState: VerdictState,
): Promise<void> {
  const meta: ShardMeta = {
    schema: 'bootgate/shard@1',
    index: shard.index,
    count: shard.count,
    config: config.name,
    skipped,
    baseSha: pr.baseSha,
    headSha: pr.headSha,
  };
  await writeFile(path.join(outDir, SHARD_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  ctx.stages.stage(`bootgate: upload shard ${shard.index}/${shard.count}`);
  await uploadFolder(shardArtifactName(shard.index), outDir);
  ctx.stages.close();
  await writeJobSummary(
    `### bootgate: shard ${shard.index}/${shard.count} of ${escapeMarkdown(config.name)}\n\nThis shard's boots are in the artifact \`${shardArtifactName(shard.index)}\`; a job with \`mode: merge\` combines the shards and decides (this shard alone: ${localState}).\n`,
  );
  setGateOutputs(localState, {
    base: path.join(outDir, 'base.json'),
    head: path.join(outDir, 'head.json'),
    report: path.join(outDir, 'report.md'),
    dir: outDir,
  });
}

const shardMetaSchema = z.object({
  schema: z.literal('bootgate/shard@1'),
  index: z.number().int().min(1).max(256),
  count: z.number().int().min(1).max(256),
  config: z.string().max(1000),
  skipped: z.array(z.object({ name: z.string().max(1000), reason: z.string().max(4000) })).max(1000),
  baseSha: z.string().max(100),
  headSha: z.string().max(100),
});

async function readShardMeta(dir: string): Promise<ShardMeta> {
  const text = await readFile(path.join(dir, SHARD_META_FILE), 'utf8');
  const parsed = shardMetaSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `${describeIssues(path.join(dir, SHARD_META_FILE), parsed.error.issues.slice(0, 5))}\n${dir}: not a bootgate shard`,
    );
  return parsed.data;
}

/** mode: merge — every shard's boots, one verdict, one comment. */
export async function runMergeMode(ctx: ModeContext): Promise<void> {
  const pr = requirePullRequest(ctx.run, 'merge');
  await reportingFailure(ctx, pr, ctx.inputs.config, () => mergeMode(ctx, pr));
}

async function mergeMode(ctx: ModeContext, pr: PullRequestInfo): Promise<void> {
  const { run, inputs, stages } = ctx;
  const outDir = path.join(run.temp, 'bootgate', 'merge');
  stages.stage('bootgate: download shards');
  const shards = await downloadShards(path.join(outDir, 'shards'));
  if (shards.length === 0) {
    throw new Error(
      'mode merge: this run has no bootgate-shard-<i> artifacts; run the matrix jobs with `shard: i/n` first and make the merge job `needs:` them',
    );
  }
  const metas = await Promise.all(shards.map((s) => readShardMeta(s.dir)));
  const count = metas[0]!.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !shards.some((s) => s.index === i));
  if (missing.length > 0)
    core.warning(`merge: shard(s) ${missing.join(', ')} of ${count} uploaded nothing; deciding on the others`);
  if (metas.some((m) => m.headSha !== pr.headSha || m.baseSha !== pr.baseSha)) {
    throw new Error(
      `merge: the shards measured other commits than this PR's base ${pr.baseSha.slice(0, 12)} / head ${pr.headSha.slice(0, 12)}`,
    );
  }
  const bases: ResultsDocument[] = [];
  const heads: ResultsDocument[] = [];
  for (const s of shards) {
    bases.push(await readResults(path.join(s.dir, 'base.json')));
    heads.push(await readResults(path.join(s.dir, 'head.json')));
  }
  const base = mergeShardDocuments(bases);
  const head = mergeShardDocuments(heads);
  for (const [docs, merged] of [
    [bases, base],
    [heads, head],
  ] as const) {
    const builtSomewhere = new Set(merged.subjects.filter((s) => !s.notBuilt).map((s) => s.name));
    const flaky = new Set(
      docs
        .flatMap((d) => d.subjects)
        .filter((s) => s.notBuilt && builtSomewhere.has(s.name))
        .map((s) => `${s.name} [${s.variant ?? '-'}]`),
    );
    if (flaky.size > 0)
      core.warning(
        `merge: ${[...flaky].join(', ')} did not build in some shards but did in others; deciding on the boots of those that built`,
      );
  }
  core.info(
    `merged ${shards.length} shards: ${head.subjects.map((s) => `${s.name} ${s.boots.length} boots per side`).join(', ')}`,
  );

  let configSubjects: Subject[] = [];
  try {
    configSubjects = (await loadConfig(inputs, run)).subjects;
  } catch (error) {
    core.info(`merge: config not readable here (${(error as Error).message}); per-subject thresholds not applied`);
  }
  const comparison = compareResults(base.subjects, head.subjects, gateOptions(inputs, configSubjects));
  const configName = metas[0]!.config;
  const skipped = metas[0]!.skipped;
  const files: GateFiles = {
    base: path.join(outDir, 'base.json'),
    head: path.join(outDir, 'head.json'),
    report: path.join(outDir, 'report.md'),
    dir: outDir,
  };
  await writeResults(files.base!, base);
  await writeResults(files.head!, head);
  const markdown = renderGateReport(comparison, { base, head, configName, skipped, runUrl: run.runUrl ?? undefined });
  stages.close();
  await finishPr(ctx, pr, { name: configName }, { comparison, markdown, files, skipped });
}
