import path from 'node:path';
import { DEFAULT_BAKE_TARGET, type SubjectSettings } from '../../config/schema.js';
import { bootgateCacheDir } from '../../config/cache-dir.js';
import { elfImageSizes } from '../../elf/index.js';
import { guestFromSettings } from '../guest-settings.js';
import type { PreparedSubject } from '../prepared-subject.js';
import { buildRumprunApp } from './app.js';
import { RUMPRUN_DETERMINISTIC_NOTE } from './config-json.js';
import { rumprunGuest } from './run.js';
import { ensureRumprunToolchain } from './toolchain.js';
import { ensurePinnedRumprun, rumprunCheckoutParent } from './checkout.js';
import { rumprunToolchainOptions } from './cache-folders.js';

/** Rumprun: toolchain (reused when built), the app compiled and baked, booted with a static network config. */
export async function prepareRumprun(
  name: string,
  settings: SubjectSettings,
  context: { log: (l: string) => void; signal?: AbortSignal },
): Promise<PreparedSubject> {
  const began = Date.now();
  const source = settings.source ?? (await ensurePinnedRumprun(rumprunCheckoutParent(), context.log));
  // the same options the action's cache key is computed from (cache-folders.ts)
  const toolchain = await ensureRumprunToolchain({
    ...rumprunToolchainOptions(source, settings),
    log: context.log,
    signal: context.signal,
  });
  const bakeTarget = settings['bake-target'] ?? DEFAULT_BAKE_TARGET;
  const outDir = path.join(settings['build-dir'] ?? path.join(bootgateCacheDir(), 'rumprun-apps'), name);
  const app = await buildRumprunApp({
    toolchain,
    appDir: settings.app,
    // a plain argument list (no shell): `{cc}` and `{out}` are replaced
    buildCommand: settings['app-build']?.split(/\s+/).filter(Boolean),
    bakeTarget,
    outDir,
    log: context.log,
    signal: context.signal,
  });
  // Network settings go into the JSON command line, so they are applied here, not after.
  const derived = rumprunGuest({
    image: app.image,
    qemu: settings.qemu,
    memoryMb: settings.memory,
    nic: settings.nic,
    guestIp: settings['guest-ip'],
    gateway: settings.gateway,
    guestPort: settings['guest-port'],
    deterministic: settings.deterministic,
  });
  if (settings.deterministic) context.log(`rumprun: ${RUMPRUN_DETERMINISTIC_NOTE}`);
  return {
    guest: guestFromSettings(name, settings, derived),
    image: { path: app.image, sizes: await elfImageSizes(app.image) },
    build: { seconds: (Date.now() - began) / 1000, cached: !toolchain.built, log: null },
  };
}
