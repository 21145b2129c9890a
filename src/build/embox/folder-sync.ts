import { copyFile, mkdir, readdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';

/** Copies what `from` holds into `to`, file by file, skipping files already there with the same size and mtime. */
export async function syncFolder(from: string, to: string): Promise<number> {
  let copied = 0;
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      copied += await syncFolder(src, dst);
    } else if (e.isFile() || e.isSymbolicLink()) {
      const s = await stat(src);
      const d = await stat(dst).catch(() => null);
      if (d && d.size === s.size && Math.abs(d.mtimeMs - s.mtimeMs) < 1) continue;
      await copyFile(src, dst);
      await utimes(dst, s.atime, s.mtime);
      copied++;
    }
  }
  return copied;
}
