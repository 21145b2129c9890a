import { GUEST_DEFAULTS, type GuestSpec } from '../../boot/guest.js';
import { rumprunConfigJson, rumprunInterfaceForNic } from './config-json.js';

/**
 * How to boot a baked Rumprun hw image: QEMU loads it as a multiboot kernel and passes the JSON
 * config as the command line. Pure.
 */
export const RUMPRUN_START_MARKER = 'rump kernel bare metal bootstrap';
export const HTTPD_READY_MARKER = 'bootgate-httpd: ready';

export interface RumprunGuestOptions {
  /** the baked image (rumprun-bake output) */
  image: string;
  /** argv of the baked program; default ["httpd"] (port 80) */
  argv?: string[];
  qemu?: string;
  memoryMb?: number;
  nic?: string;
  guestIp?: string;
  gateway?: string;
  mask?: number;
  guestPort?: number;
  httpPath?: string;
  startMarker?: string;
  readyMarker?: string;
  timeoutMs?: number;
  extraArgs?: string[];
  pinCpu?: number;
  /** deterministic mode: no network configuration in the JSON (RUMPRUN_DETERMINISTIC_NOTE) */
  deterministic?: boolean;
}

export function rumprunGuest(options: RumprunGuestOptions): GuestSpec {
  const d = GUEST_DEFAULTS;
  const nic = options.nic ?? d.nic;
  const guestIp = options.guestIp ?? d.guestIp;
  const gateway = options.gateway ?? d.gateway;
  const append = rumprunConfigJson({
    guestIp,
    gateway,
    mask: options.mask ?? d.mask,
    iface: rumprunInterfaceForNic(nic),
    argv: options.argv ?? ['httpd'],
    configureNetwork: !options.deterministic,
  });
  const spec: GuestSpec = {
    qemu: options.qemu ?? d.qemu,
    memoryMb: options.memoryMb ?? d.memoryMb,
    kernel: options.image,
    append,
    network: { nic, gateway, guestIp, guestPort: options.guestPort ?? d.guestPort },
    httpPath: options.httpPath ?? d.httpPath,
    extraArgs: options.extraArgs ?? [],
    startMarker: options.startMarker ?? RUMPRUN_START_MARKER,
    readyMarker: options.readyMarker ?? HTTPD_READY_MARKER,
    // Rumprun prints no per-module lines.
    moduleMarker: null,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
  };
  if (options.pinCpu !== undefined) spec.pinCpu = options.pinCpu;
  return spec;
}
