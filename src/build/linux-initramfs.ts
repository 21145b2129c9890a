// The Linux fixture's initramfs: busybox, /init, the kernel modules and the page httpd serves.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CpioEntry } from './cpio.js';
import type { ResolvedModule } from './linux-kernel.js';

/** busybox applets the initramfs links to (all that /init uses, plus a few for debugging). */
export const BUSYBOX_APPLETS = [
  'sh',
  'mount',
  'insmod',
  'ip',
  'httpd',
  'echo',
  'cat',
  'sleep',
  'ls',
  'mkdir',
  'dmesg',
  'uname',
];

export const INDEX_HTML =
  '<!doctype html>\n<title>bootgate</title>\n<p>bootgate Linux fixture: httpd is serving.</p>\n';

export function findBusybox(root: string): string {
  for (const candidate of ['bin/busybox', 'usr/bin/busybox']) {
    if (existsSync(join(root, candidate))) return join(root, candidate);
  }
  throw new Error(
    `linux fixture: busybox-static did not contain bin/busybox or usr/bin/busybox (extracted in ${root})`,
  );
}

export function initramfsEntries(init: Buffer, busybox: Buffer, modules: ResolvedModule[]): CpioEntry[] {
  const entries: CpioEntry[] = [];
  for (const dir of ['bin', 'dev', 'etc', 'lib', 'lib/modules', 'proc', 'root', 'sys', 'tmp', 'www']) {
    entries.push({ kind: 'dir', path: dir, mode: dir === 'tmp' ? 0o1777 : 0o755 });
  }
  // The kernel opens /dev/console for init's stdio before /init can mount devtmpfs.
  entries.push({ kind: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  entries.push({ kind: 'chardev', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });
  entries.push({ kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 });
  for (const applet of BUSYBOX_APPLETS) entries.push({ kind: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  entries.push({ kind: 'file', path: 'init', data: init, mode: 0o755 });
  for (const module of modules)
    entries.push({ kind: 'file', path: `lib/modules/${module.name}.ko`, data: module.data });
  entries.push({
    kind: 'file',
    path: 'etc/bootgate-modules',
    data: Buffer.from(modules.map((m) => `${m.name}.ko\n`).join('')),
  });
  entries.push({ kind: 'file', path: 'www/index.html', data: Buffer.from(INDEX_HTML) });
  return entries;
}
