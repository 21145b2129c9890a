import type { SubjectSettings } from '../../config/schema.js';
import { guestFromSettings } from '../guest-settings.js';
import type { PreparedSubject } from '../prepared-subject.js';
import { buildEmbox } from './build.js';
import { emboxCcacheDir, emboxImagesDir } from './cache-folders.js';
import { deriveEmboxRun, emboxGuestSpec } from './derive.js';
import { elfImageSizes } from '../../elf/index.js';

export const DEFAULT_EMBOX_TEMPLATE = 'x86/qemu';
/** Embox's readline() (src/lib/readline): tish calls it to print the prompt and wait for a line */
export const EMBOX_SHELL_READY_SYMBOL = 'readline';

/** Embox: build the template in the checkout (or variant work tree), derive how to run it, as auto_qemu does. */
export async function prepareEmbox(
  name: string,
  settings: SubjectSettings,
  context: { log: (l: string) => void; signal?: AbortSignal },
): Promise<PreparedSubject> {
  const template = settings.template ?? DEFAULT_EMBOX_TEMPLATE;
  const built = await buildEmbox({
    source: settings.source!,
    template,
    downloadDir: settings['download-dir'],
    overridesDir: settings.overrides,
    jobs: settings.jobs,
    log: context.log,
    cacheDir: emboxImagesDir(),
    ccacheDir: emboxCcacheDir(),
    signal: context.signal,
  });
  const run = await deriveEmboxRun(built.confDir, { image: built.image });
  // What the build derived, overridable by every subject setting.
  const derived = emboxGuestSpec(run, built.image);
  const guest = guestFromSettings(name, settings, derived);
  return {
    guest,
    image: { path: built.image, sizes: await elfImageSizes(built.image) },
    build: { seconds: built.seconds, cached: built.cached, log: built.buildLog },
    // no httpd: the shell's line editor, which prints the prompt, is where a boot is ready
    ...(run.network === null ? { readySymbol: EMBOX_SHELL_READY_SYMBOL } : {}),
  };
}
