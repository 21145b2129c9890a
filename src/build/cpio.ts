/**
 * A writer (and a reader, for tests and sanity checks) for the "newc" cpio format, the one the
 * Linux kernel unpacks as an initramfs. Pure TypeScript so that no cpio binary is needed.
 *
 * Layout of one entry: a 110-byte ASCII header ("070701" + 13 fields of 8 hex digits), the path
 * with a NUL, padding to a multiple of 4, the data, padding to a multiple of 4. The archive ends
 * with an entry named "TRAILER!!!".
 */

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

export interface ParsedCpioEntry {
  path: string;
  /** full st_mode: type bits and permission bits */
  mode: number;
  data: Buffer;
  rdevMajor: number;
  rdevMinor: number;
}

const MAGIC = '070701';
const HEADER_SIZE = 110;
const TRAILER = 'TRAILER!!!';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFMT = 0o170000;

export const CPIO_TYPE = { dir: S_IFDIR, file: S_IFREG, symlink: S_IFLNK, chardev: S_IFCHR, mask: S_IFMT } as const;

function hex8(value: number, field: string, path: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`cpio: field ${field} of "${path}" must be an integer in 0..0xffffffff, got ${value}`);
  }
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

/** The archive's path for an entry: relative, no leading "/" (as the kernel's own gen_init_cpio writes). */
function normalizePath(path: string): string {
  const rel = path.replace(/^\/+/, '');
  if (rel === '' || rel.split('/').some((part) => part === '' || part === '..')) {
    throw new Error(`cpio: invalid entry path "${path}" (expected a non-empty path without empty or ".." parts)`);
  }
  return rel;
}

interface RawEntry {
  name: string;
  mode: number;
  nlink: number;
  data: Uint8Array;
  rdevMajor: number;
  rdevMinor: number;
}

function encodeEntry(ino: number, entry: RawEntry, mtime: number): Buffer[] {
  const name = Buffer.from(`${entry.name}\0`, 'utf8');
  const fields: Array<[string, number]> = [
    ['ino', ino],
    ['mode', entry.mode],
    ['uid', 0],
    ['gid', 0],
    ['nlink', entry.nlink],
    ['mtime', mtime],
    ['filesize', entry.data.length],
    ['devmajor', 0],
    ['devminor', 0],
    ['rdevmajor', entry.rdevMajor],
    ['rdevminor', entry.rdevMinor],
    ['namesize', name.length],
    ['check', 0],
  ];
  const header = MAGIC + fields.map(([field, value]) => hex8(value, field, entry.name)).join('');
  return [
    Buffer.from(header, 'ascii'),
    name,
    Buffer.alloc(pad4(HEADER_SIZE + name.length)),
    Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength),
    Buffer.alloc(pad4(entry.data.length)),
  ];
}

/**
 * Serialise entries, in the given order (a directory must come before what it contains), into an
 * uncompressed newc archive. Owner is root, mtime is fixed so the same input gives the same bytes.
 */
export function writeCpioNewc(entries: readonly CpioEntry[], opts: { mtime?: number } = {}): Buffer {
  const mtime = opts.mtime ?? 0;
  const seen = new Set<string>();
  const chunks: Buffer[] = [];
  let ino = 1;
  for (const entry of entries) {
    const name = normalizePath(entry.path);
    if (seen.has(name)) throw new Error(`cpio: duplicate entry path "${entry.path}"`);
    seen.add(name);
    let raw: RawEntry;
    switch (entry.kind) {
      case 'dir':
        raw = {
          name,
          mode: S_IFDIR | (entry.mode ?? 0o755),
          nlink: 2,
          data: new Uint8Array(),
          rdevMajor: 0,
          rdevMinor: 0,
        };
        break;
      case 'file':
        raw = { name, mode: S_IFREG | (entry.mode ?? 0o644), nlink: 1, data: entry.data, rdevMajor: 0, rdevMinor: 0 };
        break;
      case 'symlink':
        raw = {
          name,
          mode: S_IFLNK | 0o777,
          nlink: 1,
          data: Buffer.from(entry.target, 'utf8'),
          rdevMajor: 0,
          rdevMinor: 0,
        };
        break;
      case 'chardev':
        raw = {
          name,
          mode: S_IFCHR | (entry.mode ?? 0o600),
          nlink: 1,
          data: new Uint8Array(),
          rdevMajor: entry.major,
          rdevMinor: entry.minor,
        };
        break;
    }
    if ((raw.mode & ~S_IFMT) > 0o7777) throw new Error(`cpio: mode of "${entry.path}" has bits outside 0o7777`);
    chunks.push(...encodeEntry(ino++, raw, mtime));
  }
  chunks.push(
    ...encodeEntry(0, { name: TRAILER, mode: 0, nlink: 1, data: new Uint8Array(), rdevMajor: 0, rdevMinor: 0 }, 0),
  );
  return Buffer.concat(chunks);
}

/** Parse an uncompressed newc archive (up to its trailer). Throws on anything malformed. */
export function parseCpioNewc(archive: Uint8Array): ParsedCpioEntry[] {
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const entries: ParsedCpioEntry[] = [];
  let offset = 0;
  for (;;) {
    if (offset + HEADER_SIZE > buf.length) throw new Error(`cpio: truncated header at offset ${offset}`);
    const magic = buf.toString('ascii', offset, offset + 6);
    if (magic !== MAGIC) throw new Error(`cpio: bad magic "${magic}" at offset ${offset} (expected ${MAGIC}, newc)`);
    const field = (index: number): number => {
      const text = buf.toString('ascii', offset + 6 + index * 8, offset + 14 + index * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(text)) throw new Error(`cpio: bad hex field "${text}" at offset ${offset}`);
      return parseInt(text, 16);
    };
    const mode = field(1);
    const fileSize = field(6);
    const rdevMajor = field(9);
    const rdevMinor = field(10);
    const nameSize = field(11);
    const nameStart = offset + HEADER_SIZE;
    const dataStart = nameStart + nameSize + pad4(HEADER_SIZE + nameSize);
    const dataEnd = dataStart + fileSize;
    if (nameSize < 1 || dataEnd > buf.length)
      throw new Error(`cpio: entry at offset ${offset} runs past the end of the archive`);
    if (buf[nameStart + nameSize - 1] !== 0)
      throw new Error(`cpio: entry name at offset ${offset} is not NUL-terminated`);
    const path = buf.toString('utf8', nameStart, nameStart + nameSize - 1);
    if (path === TRAILER) return entries;
    entries.push({ path, mode, data: buf.subarray(dataStart, dataEnd), rdevMajor, rdevMinor });
    offset = dataEnd + pad4(fileSize);
  }
}
