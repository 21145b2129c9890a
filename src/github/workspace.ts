// The repository checkout the action runs in: the config, commits, the PR's changed files.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { git } from '../build/git.js';
import { loadConfigFile } from '../config/load.js';
import { resolveSubjects, type Subject } from '../config/subjects.js';
import { emboxDownloadDir } from '../build/embox/cache-folders.js';
import type { Octokit } from './comment.js';
import type { PullRequestInfo, RunContext } from './context.js';
import type { ActionInputs } from './inputs.js';
import type { ChangedFile, TemplateProbe } from './select.js';
import { touchedTemplates } from './select.js';
import { templateFolderOfPath, templateFoldersOf, templateNameOfFolder } from './embox-templates.js';

export interface LoadedConfig {
  /** as given in the `config` input: names the sticky comment and the history folder */
  name: string;
  file: string;
  subjects: Subject[];
}

/**
 * Every subject of the config, paths resolved against the config's folder. Embox subjects without
 * their own download folder share one (the `download-dir` input, else a cached folder).
 */
export async function loadConfig(inputs: ActionInputs, run: RunContext): Promise<LoadedConfig> {
  const file = path.resolve(run.workspace, inputs.config);
  const loaded = await loadConfigFile(file);
  const downloadDir = inputs.downloadDir ? path.resolve(run.workspace, inputs.downloadDir) : undefined;
  const subjects = resolveSubjects({ file: loaded, flags: {}, cwd: run.workspace }).map((s) =>
    s.os === 'embox' && !s.settings['download-dir']
      ? { ...s, settings: { ...s.settings, 'download-dir': emboxDownloadDir(s, downloadDir) } }
      : s,
  );
  // The shared folder may not exist before its first cache save; the Embox builder wants a folder.
  if (!downloadDir && subjects.some((s) => s.os === 'embox'))
    await mkdir(emboxDownloadDir({ name: '', os: 'embox', settings: {} }, undefined), { recursive: true });
  return { name: inputs.config, file, subjects };
}

/**
 * Makes sure `sha` is in the checkout. actions/checkout fetches one commit by default; the missing
 * one is fetched from origin (checkout leaves its credentials for that).
 */
export async function ensureCommit(workspace: string, sha: string, what: string): Promise<void> {
  if ((await git(['cat-file', '-e', `${sha}^{commit}`], { cwd: workspace })).ok) return;
  core.info(`${what} commit ${sha.slice(0, 12)} is not in the checkout; fetching it from origin`);
  const fetched = await git(['fetch', '--no-tags', '--depth=1', 'origin', sha], { cwd: workspace, timeoutMs: 300_000 });
  if (fetched.ok && (await git(['cat-file', '-e', `${sha}^{commit}`], { cwd: workspace })).ok) return;
  throw new Error(
    `${what} commit ${sha} is not in the checkout of ${workspace} and fetching it failed (${fetched.reason.split('\n')[0] ?? ''}); ` +
      'check out with actions/checkout and `fetch-depth: 0`',
  );
}

/** The PR's files from the REST API (every page); null when they cannot be listed. */
export async function listChangedFiles(
  octokit: Octokit | null,
  run: RunContext,
  pr: PullRequestInfo,
): Promise<ChangedFile[] | null> {
  if (!octokit) return null;
  try {
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: run.owner,
      repo: run.repo,
      pull_number: pr.number,
      per_page: 100,
    });
    return files.map((f) => ({
      path: f.filename,
      status: f.status,
      ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    }));
  } catch (error) {
    core.warning(
      `subjects: cannot list the files of PR #${pr.number} (${(error as Error).message}); measuring every subject`,
    );
    return null;
  }
}

/** The template folders of the head commit (every folder holding a build.conf under templates/, platform/, project/). */
export async function templateFoldersAt(workspace: string, headSha: string): Promise<Set<string>> {
  const listed = await git(['ls-tree', '-r', '--name-only', headSha, '--', 'templates', 'platform', 'project'], {
    cwd: workspace,
  });
  return templateFoldersOf(listed.ok ? listed.stdout.split('\n') : []);
}

/** build.conf of each touched template that has no subject of its own, read from the head commit. */
export async function probeTemplates(
  workspace: string,
  headSha: string,
  files: readonly ChangedFile[],
  subjects: readonly Subject[],
  folders?: ReadonlySet<string>,
): Promise<Map<string, TemplateProbe>> {
  const probes = new Map<string, TemplateProbe>();
  const byName = new Map<string, string>();
  for (const f of files) {
    for (const p of [f.path, f.previousPath]) {
      const folder = p ? templateFolderOfPath(p, folders) : null;
      const name = folder ? templateNameOfFolder(folder) : null;
      if (folder && name && !byName.has(name)) byName.set(name, folder);
    }
  }
  for (const template of touchedTemplates(files, folders)) {
    if (subjects.some((s) => s.settings.template === template)) continue;
    const shown = await git(['show', `${headSha}:${byName.get(template)!}/build.conf`], { cwd: workspace });
    probes.set(template, { buildConf: shown.ok ? shown.stdout : null });
  }
  return probes;
}
