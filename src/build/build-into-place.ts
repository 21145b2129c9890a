// Builds a file in a private folder beside its final place, then renames it into place: concurrent
// builders of the same content each produce an identical file and the last rename wins atomically.
// A builder killed halfway leaves a `build-*` folder that the cache sweep removes (cache-sweep.ts).
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `build` gets the private folder and returns the file it made there, which becomes `target`. */
export async function buildIntoPlace(target: string, build: (work: string) => Promise<string>): Promise<void> {
  const outDir = dirname(target);
  await mkdir(outDir, { recursive: true });
  const work = join(outDir, `build-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(work);
  try {
    await rename(await build(work), target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
