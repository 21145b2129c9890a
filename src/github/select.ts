// Which subjects a pull request needs: a pure function of the config's subjects, the PR's changed
// files and what the head checkout says about the templates it touches.
import type { SubjectSettings } from '../config/schema.js';
import type { Subject } from '../config/subjects.js';
import { parseBuildConf, qemuForBuildConf, templateFolderOfPath, templateOfPath } from './embox-templates.js';
import type { SubjectFilter } from './inputs.js';

export interface ChangedFile {
  path: string;
  /** REST `status`: added, removed, modified, renamed, … */
  status?: string;
  /** the old path of a rename */
  previousPath?: string;
}

/** A touched template as found in the head checkout; null buildConf: its folder is gone. */
export interface TemplateProbe {
  buildConf: string | null;
}

export interface Skipped {
  name: string;
  reason: string;
}

export interface Selection {
  subjects: Subject[];
  skipped: Skipped[];
  /** one line per decision, for the log */
  notes: string[];
}

/**
 * Changes under these folders (or to these files) can affect every template: the config's whole set
 * runs. Embox keeps its kernel in src/, build system in mk/, vendored code in third-party/ and board
 * support in platform/; the top-level Makefile drives every build.
 */
export const SHARED_PATHS = ['src/', 'mk/', 'third-party/', 'platform/', 'Makefile'];

/** The REST API lists at most this many files of a PR; a PR that reaches it may have more. */
export const MAX_LISTED_FILES = 3000;

/** Settings a derived subject takes over from the Embox subject it is derived from. */
const CARRIED_OVER: (keyof SubjectSettings)[] = [
  'source',
  'download-dir',
  'jobs',
  'runs',
  'warmup',
  'timeout',
  'threshold',
  'instructions-threshold',
  'start-marker',
  'ready-marker',
  'module-marker',
  'http-path',
  'network',
  'memory',
  'pin-cpu',
  'deterministic',
  'start-symbol',
  'ready-symbol',
  'parallel',
  'max-runs',
  'module-threshold',
];

function isShared(file: string, folders?: ReadonlySet<string>): boolean {
  // a template kept under platform/<p>/templates/ is a template, not board support
  if (file.startsWith('platform/') && templateFolderOfPath(file, folders) !== null) return false;
  return SHARED_PATHS.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));
}

/**
 * Names of the templates the files touch, as `make confload-<name>` takes them. `folders`: the
 * head tree's template folders (every folder with a build.conf), so that nested templates
 * (x86/test/fs) resolve; without it the usual two-level layout is assumed.
 */
export function touchedTemplates(files: readonly ChangedFile[], folders?: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const f of files) {
    for (const p of [f.path, f.previousPath]) {
      const t = p ? templateOfPath(p, folders) : null;
      if (t) out.add(t);
    }
  }
  return [...out].sort();
}

/** A subject name for a derived template subject: `arm/qemu` → `arm-qemu`, made unique. */
function derivedName(template: string, taken: Set<string>): string {
  const base = template.replace(/[^\w.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'template';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** The Embox subject a new template subject copies its settings from: same arch if there is one. */
function derivationBase(emboxWithTemplate: readonly Subject[], template: string): Subject | undefined {
  const arch = template.split('/')[0];
  return emboxWithTemplate.find((s) => s.settings.template?.split('/')[0] === arch) ?? emboxWithTemplate[0];
}

export interface SelectOptions {
  /** every subject of the config, resolved */
  subjects: readonly Subject[];
  filter: SubjectFilter;
  /** the PR's files; null when they could not be listed (then everything runs) */
  changedFiles: readonly ChangedFile[] | null;
  /** for each touched template without a subject of its own: what the head checkout holds */
  templates: ReadonlyMap<string, TemplateProbe>;
  /** the head tree's template folders (see touchedTemplates) */
  templateFolders?: ReadonlySet<string>;
}

export function selectSubjects(options: SelectOptions): Selection {
  const { subjects, filter } = options;
  const all = (note: string): Selection => ({ subjects: [...subjects], skipped: [], notes: [note] });
  if (filter.kind === 'all') return all('subjects: all');
  if (filter.kind === 'names') {
    const known = new Set(subjects.map((s) => s.name));
    const unknown = filter.names.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new Error(
        `input "subjects": no subject named ${unknown.map((n) => `"${n}"`).join(', ')} in the config; expected names from ${[...known].join(', ')}`,
      );
    }
    return {
      subjects: subjects.filter((s) => filter.names.includes(s.name)),
      skipped: [],
      notes: [`subjects: ${filter.names.join(', ')}`],
    };
  }

  const emboxWithTemplate = subjects.filter((s) => s.os === 'embox' && s.settings.template);
  if (emboxWithTemplate.length === 0)
    return all('subjects: changed — the config has no Embox subject with a template, so every subject runs');
  const files = options.changedFiles;
  if (files === null) return all("subjects: changed — the PR's files could not be listed, so every subject runs");
  if (files.length >= MAX_LISTED_FILES)
    return all(
      `subjects: changed — the PR changes ${MAX_LISTED_FILES} files or more (the API's limit), so every subject runs`,
    );
  const folders = options.templateFolders;
  const shared = files.filter(
    (f) => isShared(f.path, folders) || (f.previousPath !== undefined && isShared(f.previousPath, folders)),
  );
  if (shared.length > 0) {
    const shown = shared
      .slice(0, 3)
      .map((f) => f.path)
      .join(', ');
    return all(
      `subjects: changed — shared code changed (${shown}${shared.length > 3 ? `, and ${shared.length - 3} more` : ''}), so every subject runs`,
    );
  }

  const chosen = new Map<string, Subject>();
  const skipped: Skipped[] = [];
  const notes: string[] = [];
  const taken = new Set(subjects.map((s) => s.name));
  const touched = touchedTemplates(files, folders);
  for (const template of touched) {
    const own = emboxWithTemplate.filter((s) => s.settings.template === template);
    if (own.length > 0) {
      for (const s of own) chosen.set(s.name, s);
      notes.push(`template ${template} changed: subject(s) ${own.map((s) => s.name).join(', ')}`);
      continue;
    }
    const probe = options.templates.get(template);
    if (!probe || probe.buildConf === null) {
      skipped.push({ name: template, reason: 'the template is not in the head checkout (removed or renamed)' });
      continue;
    }
    const target = qemuForBuildConf(parseBuildConf(probe.buildConf));
    if ('reason' in target) {
      skipped.push({ name: template, reason: target.reason });
      continue;
    }
    const from = derivationBase(emboxWithTemplate, template)!;
    const settings: SubjectSettings = { os: 'embox' };
    for (const key of CARRIED_OVER) {
      if (from.settings[key] !== undefined) (settings as Record<string, unknown>)[key] = from.settings[key];
    }
    // QEMU, machine, CPU, loader and NIC come from the build (derive.ts), from the same table
    settings.template = template;
    const name = derivedName(template, taken);
    taken.add(name);
    chosen.set(name, { name, os: 'embox', settings });
    const t = target.target;
    notes.push(
      `template ${template} changed: new subject ${name} (settings from ${from.name}, ${t.qemu}${t.machine ? ` -M ${t.machine}` : ''}${t.cpu ? ` -cpu ${t.cpu}` : ''}, -${t.loader})`,
    );
  }
  const always = subjects.filter((s) => s.settings.always === true && !chosen.has(s.name));
  if (always.length > 0) notes.push(`always: ${always.map((s) => s.name).join(', ')}`);
  if (touched.length === 0) notes.push('no Embox template changed');
  // Config order first, then derived subjects in template order.
  const ordered = [
    ...subjects.filter((s) => chosen.has(s.name) || always.includes(s)),
    ...[...chosen.values()].filter((s) => !subjects.includes(s)),
  ];
  return { subjects: ordered, skipped, notes };
}
