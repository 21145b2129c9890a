// Writes a file through a temp file and a rename, so a reader never sees half of it.
import { randomBytes } from 'node:crypto';
import { open, rename } from 'node:fs/promises';

export async function writeAtomically(path: string, data: Buffer): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
