// The Embox checkout a build starts from: is it one, and which templates does it have.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { EmboxBuildError } from './build-error.js';

export async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Throws unless `dir` is the root of an Embox source tree (Makefile, mk/, templates/, a confload target). */
export async function validateEmboxCheckout(dir: string): Promise<void> {
  if (!(await isDir(dir)))
    throw new EmboxBuildError(`Embox source ${dir} does not exist or is not a folder`, 'not-a-checkout');
  const missing: string[] = [];
  if (!(await isFile(path.join(dir, 'Makefile')))) missing.push('Makefile');
  if (!(await isDir(path.join(dir, 'mk')))) missing.push('mk/');
  if (!(await isDir(path.join(dir, 'templates')))) missing.push('templates/');
  if (missing.length === 0) {
    // the confload-<template> rule lives in mk/main.mk (older trees: in the Makefile)
    const texts = await Promise.all(
      ['mk/main.mk', 'Makefile'].map((f) => readFile(path.join(dir, f), 'utf8').catch(() => '')),
    );
    if (!texts.some((t) => t.includes('confload'))) missing.push('a "confload-<template>" make target (mk/main.mk)');
  }
  if (missing.length > 0) {
    throw new EmboxBuildError(
      `${dir} is not an Embox checkout: missing ${missing.join(', ')}; expected the root of an Embox source tree ` +
        `(Makefile, mk/, templates/ and a "make confload-<template>" target)`,
      'not-a-checkout',
    );
  }
}

async function findBuildConfs(dir: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isFile() && e.name === 'build.conf') out.push(dir);
    else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.'))
      out.push(...(await findBuildConfs(path.join(dir, e.name), depth - 1)));
  }
  return out;
}

/**
 * Template name → folder, named as Embox's mk/main.mk names them: templates/<a>/<b> is
 * "<a>/<b>", platform/<p>/templates/<t> is "platform/<p>/<t>", project/<p>/templates/<t> is "project/<p>/<t>".
 */
export async function listEmboxTemplates(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const posix = (p: string): string => p.split(path.sep).join('/');
  for (const d of await findBuildConfs(path.join(root, 'templates'), 6))
    found.set(posix(path.relative(path.join(root, 'templates'), d)), d);
  for (const d of await findBuildConfs(path.join(root, 'platform'), 6)) {
    found.set(`platform/${posix(path.relative(path.join(root, 'platform'), d)).replace('templates/', '')}`, d);
  }
  let projects: string[] = [];
  try {
    projects = (await readdir(path.join(root, 'project'), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    // no project/ folder: fine
  }
  for (const p of projects) {
    for (const d of await findBuildConfs(path.join(root, 'project', p, 'templates'), 1))
      found.set(`project/${p}/${path.basename(d)}`, d);
  }
  return found;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to `count` names closest to `wanted`: shared path parts first, then by edit distance. */
export function closestNames(wanted: string, names: Iterable<string>, count = 5): string[] {
  const parts = wanted.toLowerCase().split('/');
  const score = (n: string): number => {
    const lower = n.toLowerCase();
    const shared = parts.filter((p) => p && lower.split('/').includes(p)).length;
    return editDistance(wanted.toLowerCase(), lower) - 3 * shared - (lower.includes(wanted.toLowerCase()) ? 5 : 0);
  };
  return [...names].sort((a, b) => score(a) - score(b) || a.localeCompare(b)).slice(0, count);
}

/** The template's folder; throws naming close template names when it does not exist. */
export async function resolveEmboxTemplate(root: string, template: string): Promise<string> {
  const templates = await listEmboxTemplates(root);
  const dir = templates.get(template);
  if (dir) return dir;
  const close = closestNames(template, templates.keys());
  throw new EmboxBuildError(
    `unknown Embox template "${template}" in ${root}: no templates/${template}/build.conf; ` +
      (close.length > 0
        ? `close names: ${close.join(', ')} (${templates.size} templates; "make confload" lists them all)`
        : 'the checkout has no templates at all'),
    'unknown-template',
  );
}
