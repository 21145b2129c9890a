import path from 'node:path';
import { elfImageSizes } from '../elf/index.js';
import type { PreparedSubject } from './prepared-subject.js';
import type { SubjectSettings } from '../config/schema.js';
import { CHECKOUT_PATH_KEYS, type Subject } from '../config/subjects.js';
import { runLoggedBuild } from './build-command.js';
import { sweepLeftoverProcessesOnce } from '../boot/leftovers.js';
import { sweepCacheLeftoversOnce } from './cache-sweep.js';
import { guestFromSettings, requireFile } from './guest-settings.js';
import { prepareEmbox } from './embox/index.js';
import { prepareRumprun } from './rumprun/index.js';

export { guestFromSettings, type DerivedRun } from './guest-settings.js';
export { BuildError } from './build-command.js';

export interface PrepareContext {
  log: (line: string) => void;
  signal?: AbortSignal;
  /** where build logs go */
  logDir: string;
  /** gated runs: build from this work tree instead of the repository it was made from */
  worktree?: { root: string; repoRoot: string };
  variant?: 'base' | 'head';
}

/** Paths inside the repository point into the variant's work tree instead. */
export function remapIntoWorktree(
  settings: SubjectSettings,
  worktree: { root: string; repoRoot: string },
): SubjectSettings {
  const out: SubjectSettings = { ...settings };
  for (const key of CHECKOUT_PATH_KEYS) {
    const value = out[key];
    if (value === undefined) continue;
    const rel = path.relative(worktree.repoRoot, value);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) out[key] = path.join(worktree.root, rel);
  }
  return out;
}

/** Builds (when the subject needs it) and resolves the run configuration of one subject. */
export async function prepareSubject(subject: Subject, context: PrepareContext): Promise<PreparedSubject> {
  await sweepLeftoverProcessesOnce(context.log);
  await sweepCacheLeftoversOnce(context.log);
  const settings = context.worktree ? remapIntoWorktree(subject.settings, context.worktree) : subject.settings;
  const label = `${subject.name}${context.variant ? ` [${context.variant}]` : ''}`;
  switch (subject.os) {
    case 'custom': {
      let build: PreparedSubject['build'] = null;
      const command = settings['build-command'];
      if (command) {
        const logFile = path.join(
          context.logDir,
          `build-${subject.name}${context.variant ? `-${context.variant}` : ''}.log`,
        );
        context.log(`building ${label}: ${command}`);
        // The user's own build command line, as a workflow's `run:` would: through sh.
        const { seconds } = await runLoggedBuild({
          what: `build of ${label}`,
          file: 'sh',
          args: ['-c', command],
          cwd: context.worktree?.root ?? settings.source ?? process.cwd(),
          logFile,
          log: context.log,
          signal: context.signal,
        });
        build = { seconds, cached: false, log: logFile };
      }
      const guest = guestFromSettings(subject.name, settings);
      await requireFile(guest.kernel, `subject "${subject.name}" kernel`);
      if (guest.initrd) await requireFile(guest.initrd, `subject "${subject.name}" initrd`);
      // An ELF kernel's text/data/bss feed the image-size trend; other formats (bzImage) have none.
      const sizes = await elfImageSizes(guest.kernel).catch(() => null);
      return {
        guest,
        image: { path: guest.kernel, sizes: sizes && { text: sizes.text, data: sizes.data, bss: sizes.bss } },
        build,
      };
    }
    case 'embox':
      return prepareEmbox(subject.name, settings, context);
    case 'rumprun':
      return prepareRumprun(subject.name, settings, context);
  }
}
