// Workflow artifacts: the fork-safe report hand-over (`bootgate-report`) and the shards of a
// matrix run (`bootgate-shard-<i>`), through @actions/artifact.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import * as core from '@actions/core';

export const REPORT_ARTIFACT = 'bootgate-report';
export const SHARD_ARTIFACT_PREFIX = 'bootgate-shard-';
export const shardArtifactName = (index: number): string => `${SHARD_ARTIFACT_PREFIX}${index}`;

/** Short-lived: the companion workflow or the merge job reads them minutes later. */
const RETENTION_DAYS = 7;

async function filesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const name of names.sort()) {
    const full = path.join(dir, name);
    if ((await stat(full)).isFile()) files.push(full);
  }
  return files;
}

/** Uploads every file under `dir` (paths inside the artifact are relative to it). */
export async function uploadFolder(
  name: string,
  dir: string,
): Promise<{ id: number | undefined; size: number | undefined }> {
  const files = await filesUnder(dir);
  if (files.length === 0) throw new Error(`artifact ${name}: nothing to upload in ${dir}`);
  const client = new DefaultArtifactClient();
  const result = await client.uploadArtifact(name, files, dir, { retentionDays: RETENTION_DAYS });
  core.info(`artifact ${name}: uploaded ${files.length} files (${result.size ?? '?'} bytes, id ${result.id ?? '?'})`);
  return { id: result.id, size: result.size };
}

export interface OtherRun {
  token: string;
  runId: number;
  owner: string;
  repo: string;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; status?: number; message?: string };
  return e?.name === 'ArtifactNotFoundError' || e?.status === 404 || /not found/i.test(e?.message ?? '');
}

/** Downloads artifact `name` of another workflow run into `dest`; null when that run has none. */
export async function downloadFromRun(name: string, run: OtherRun, dest: string): Promise<string | null> {
  const client = new DefaultArtifactClient();
  const findBy = { token: run.token, workflowRunId: run.runId, repositoryOwner: run.owner, repositoryName: run.repo };
  let id: number;
  try {
    id = (await client.getArtifact(name, { findBy })).artifact.id;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const { downloadPath } = await client.downloadArtifact(id, { path: dest, findBy });
  return downloadPath ?? dest;
}

/** Downloads every shard artifact of this run, each into its own folder under `dest`. */
export async function downloadShards(dest: string): Promise<{ name: string; index: number; dir: string }[]> {
  const client = new DefaultArtifactClient();
  const { artifacts } = await client.listArtifacts({ latest: true });
  const shards = artifacts
    .map((a) => ({ a, index: Number(a.name.slice(SHARD_ARTIFACT_PREFIX.length)) }))
    .filter(({ a, index }) => a.name.startsWith(SHARD_ARTIFACT_PREFIX) && Number.isInteger(index) && index > 0)
    .sort((x, y) => x.index - y.index);
  const out: { name: string; index: number; dir: string }[] = [];
  for (const { a, index } of shards) {
    const dir = path.join(dest, a.name);
    await client.downloadArtifact(a.id, { path: dir });
    out.push({ name: a.name, index, dir });
  }
  return out;
}
