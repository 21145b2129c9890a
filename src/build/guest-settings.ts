import { access } from 'node:fs/promises';
import { DEFAULT_MODULE_MARKER, GUEST_DEFAULTS as DEFAULTS, type GuestSpec } from '../boot/guest.js';
import { ConfigError } from '../config/errors.js';
import type { SubjectSettings } from '../config/schema.js';

/** What a build derived about how to run its image; every field can be overridden by the subject's settings. */
export type DerivedRun = Partial<Omit<GuestSpec, 'network'>> & {
  network?: Partial<NonNullable<GuestSpec['network']>> | null;
};

/** Merges built-in defaults < what the build derived < the user's settings into a GuestSpec. */
export function guestFromSettings(name: string, s: SubjectSettings, derived: DerivedRun = {}): GuestSpec {
  const startMarker = s['start-marker'] ?? derived.startMarker;
  const readyMarker = s['ready-marker'] ?? derived.readyMarker;
  if (!startMarker)
    throw new ConfigError(
      `subject "${name}": missing "start-marker" (--start-marker RE): the regex of the guest's first kernel line`,
    );
  if (!readyMarker)
    throw new ConfigError(
      `subject "${name}": missing "ready-marker" (--ready-marker RE): the regex of the line saying httpd started`,
    );
  const kernel = s.kernel ?? derived.kernel;
  if (!kernel) throw new ConfigError(`subject "${name}": missing "kernel" (--kernel PATH)`);
  const wantsNetwork = s.network ?? derived.network !== null;
  const dn = derived.network ?? {};
  return {
    qemu: s.qemu ?? derived.qemu ?? DEFAULTS.qemu,
    machine: s.machine ?? derived.machine,
    memoryMb: s.memory ?? derived.memoryMb ?? DEFAULTS.memoryMb,
    kernel,
    ...(derived.loader ? { loader: derived.loader } : {}),
    initrd: s.initrd ?? derived.initrd,
    append: s.append ?? derived.append,
    network: wantsNetwork
      ? {
          nic: s.nic ?? dn.nic ?? DEFAULTS.nic,
          // a NIC named in the settings replaces the derived one, and with it the way it attaches
          ...(s.nic === undefined && dn.attach ? { attach: dn.attach } : {}),
          mac: s.mac ?? dn.mac,
          net: s.net ?? dn.net,
          gateway: s.gateway ?? dn.gateway,
          guestIp: s['guest-ip'] ?? dn.guestIp ?? DEFAULTS.guestIp,
          guestPort: s['guest-port'] ?? dn.guestPort ?? DEFAULTS.guestPort,
        }
      : null,
    httpPath: s['http-path'] ?? derived.httpPath ?? DEFAULTS.httpPath,
    extraArgs: [...(derived.extraArgs ?? []), ...(s['qemu-args'] ?? [])],
    startMarker,
    readyMarker,
    moduleMarker: s['module-marker'] ?? derived.moduleMarker ?? DEFAULT_MODULE_MARKER,
    timeoutMs: s.timeout !== undefined ? s.timeout * 1000 : (derived.timeoutMs ?? DEFAULTS.timeoutMs),
    pinCpu: s['pin-cpu'] ?? derived.pinCpu,
  };
}

export async function requireFile(file: string, what: string): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new ConfigError(`${what}: "${file}" does not exist`);
  }
}
