import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where bootgate keeps things it can rebuild (guest fixtures, downloaded packages):
 * $BOOTGATE_CACHE_DIR, else $XDG_CACHE_HOME/bootgate, else ~/.cache/bootgate.
 */
export function bootgateCacheDir(): string {
  const explicit = process.env['BOOTGATE_CACHE_DIR'];
  if (explicit) return explicit;
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg) return join(xdg, 'bootgate');
  return join(homedir(), '.cache', 'bootgate');
}
