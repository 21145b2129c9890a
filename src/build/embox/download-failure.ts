// Embox fetches third-party archives during make (mk/extbld/build.mk); when one is missing or
// its md5 differs, the log says so in curl/md5sum/tar lines. This finds them and words the error.
import path from 'node:path';

export interface DownloadFailure {
  /** missing: not in download/ and not downloadable; checksum: present but the md5 differs */
  kind: 'missing' | 'checksum';
  /** archive file name, e.g. openlibm-0.8.3.tar.gz */
  archive: string;
  url?: string;
  expectedMd5?: string;
  /** curl's own error line, when there was one */
  detail?: string;
}

/** Lines of an Embox build log that can explain a third-party download failure (see mk/extbld/build.mk). */
export function isDownloadRelevant(line: string): boolean {
  return /curl|md5sum|^tar: |\.download_checked\]|Cannot open/.test(line);
}

/**
 * Finds, in an Embox build log, a third-party archive that was missing (curl failed,
 * then md5sum/tar could not open it) or failed its md5 check. Null when none did.
 */
export function detectDownloadFailure(lines: readonly string[]): DownloadFailure | null {
  const urls = new Map<string, string>();
  const md5s = new Map<string, string>();
  const missing: string[] = [];
  const failedModules: string[] = [];
  let curlError: string | undefined;
  for (const line of lines) {
    const fetchCmd = /curl -o (\S+) [^']*'([^']+)'/.exec(line);
    if (fetchCmd) urls.set(fetchCmd[1]!, fetchCmd[2]!);
    for (const m of line.matchAll(/md5sum (\S+) \| .*?grep ([0-9a-fA-F]{32})/g)) md5s.set(m[1]!, m[2]!.toLowerCase());
    const curl = /(curl: \(\d+\) .*)$/.exec(line);
    if (curl) curlError = curl[1]!.trim();
    const gone = /^(?:tar|md5sum): (\S+): (?:Cannot open: )?No such file or directory/.exec(line.trim());
    if (gone && !missing.includes(path.basename(gone[1]!))) missing.push(path.basename(gone[1]!));
    const check = /(\S+)\/\.download_checked\] Error/.exec(line);
    if (check) failedModules.push(path.basename(check[1]!));
  }
  const first = missing[0];
  if (first !== undefined) {
    return {
      kind: 'missing',
      archive: first,
      ...opt('url', urls.get(first)),
      ...opt('expectedMd5', md5s.get(first)),
      ...opt('detail', curlError),
    };
  }
  const mod = failedModules[0];
  if (mod === undefined) return null;
  // the failing module's folder is named after its package (OpenLibm ↔ openlibm-0.8.3.tar.gz)
  const archives = [...new Set([...md5s.keys(), ...urls.keys()])];
  const archive =
    archives.find((a) => a.toLowerCase().startsWith(mod.toLowerCase())) ??
    archives[archives.length - 1] ??
    `${mod} archive`;
  return { kind: 'checksum', archive, ...opt('url', urls.get(archive)), ...opt('expectedMd5', md5s.get(archive)) };
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** The error for a download failure found in the log of a build of `template`. */
export function downloadFailureMessage(
  f: DownloadFailure,
  template: string,
  downloadFolder: string,
  downloadDir?: string,
): string {
  const where = `Embox build (template ${template})`;
  if (f.kind === 'missing') {
    return (
      `${where}: third-party archive ${f.archive} is not in ${downloadFolder} and could not be downloaded` +
      (f.url ? ` from ${f.url}` : '') +
      (f.detail ? ` (${f.detail})` : '') +
      `. Offline builds need it in a pre-filled folder passed as "download-dir" (--download-dir DIR)` +
      (downloadDir ? `; download-dir ${downloadDir} has no ${f.archive}` : '') +
      (f.expectedMd5 ? `; the Embox Makefile expects md5 ${f.expectedMd5}` : '')
    );
  }
  return (
    `${where}: third-party archive ${f.archive} in ${downloadFolder}${downloadDir ? ` (copied from download-dir ${downloadDir})` : ''} ` +
    `does not have the md5 the Embox Makefile expects${f.expectedMd5 ? ` (${f.expectedMd5})` : ''}; ` +
    `replace it with the exact file${f.url ? ` from ${f.url}` : ' the package Makefile names'}`
  );
}
