import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MODULE_MARKER, GUEST_DEFAULTS, type GuestSpec } from '../../boot/guest.js';
import { preprocessFile } from './conf-preprocess.js';
import { readElfIdent, type ElfIdent } from '../../elf/index.js';
import { bitsFromFlags, emboxTarget, SUPPORTED_EMBOX_ARCHES, type EmboxTarget } from './arch.js';
import { networkCidr, parseNetworkFile, prefixFromMask } from './network-file.js';
import { httpdReadyMarker, shellPromptMarker, startCommandsFromInc } from './ready-marker.js';

/**
 * How to boot an Embox image, derived from its conf/ folder the way Embox's own
 * scripts/qemu/auto_qemu does it (ARCH/PLATFORM from build.conf, RAM from lds.conf,
 * NIC from mods.conf), plus the guest's address from conf/rootfs/network and the
 * start script (system_start.inc) for the ready marker.
 */
export interface EmboxRunConfig {
  /** ARCH from build.conf, e.g. x86 */
  arch: string;
  /** PLATFORM from build.conf, when set */
  platform?: string;
  /** QEMU system emulator, e.g. qemu-system-i386 */
  qemu: string;
  /** -machine value, e.g. vexpress-a9, virt */
  machine?: string;
  /** -cpu value, when auto_qemu passes one */
  cpu?: string;
  /** how QEMU loads the image: -kernel, or -bios (RISC-V) */
  loader: 'kernel' | 'bios';
  /** RAM region size from lds.conf, rounded up to whole MiB */
  memoryMb: number;
  /** the NIC and addresses that reach httpd; null: the start script starts no httpd (no HTTP check) */
  network: EmboxNetwork | null;
  startMarker: string;
  /** regular expression (source) for the serial line that says httpd was started, or the shell prompt without httpd */
  readyMarker: string;
  /** whether the start script (system_start.inc) starts httpd at all */
  startScriptMentionsHttpd: boolean;
  /** the start script's commands, comments removed */
  startCommands: string[];
}

export interface EmboxNetwork {
  /** QEMU NIC model, e.g. virtio-net-pci, e1000, ne2k_pci, smc91c111 */
  nic: string;
  /** Embox driver module the NIC came from: embox.driver.net.<emboxNic> */
  emboxNic: string;
  /** true for a board's built-in NIC: attached with `-net nic,model=…`, not `-device` */
  nicOnBoard: boolean;
  mac?: string;
  guestIp: string;
  gateway?: string;
  /** the guest's network in CIDR form, from address + netmask, e.g. 10.0.2.0/24 */
  net?: string;
  guestPort: number;
}

export interface DeriveOptions {
  /**
   * The built image. auto_qemu reads word size and byte order from it (RISC-V 32/64,
   * MIPS endianness); without it they are guessed from build.conf's flags.
   */
  image?: string;
}

export const EMBOX_START_MARKER = 'Embox kernel start';
export const EMBOX_HTTPD_PORT = 80;

/** Embox NIC driver → QEMU NIC model, as auto_qemu's NIC2QEMU table (its "virtio" is the PCI virtio-net device). */
export const EMBOX_NIC_TO_QEMU: Readonly<Record<string, string>> = {
  e1000: 'e1000',
  ne2k_pci: 'ne2k_pci',
  rtl8139: 'rtl8139',
  virtio: 'virtio-net-pci',
  xemaclite: 'xlnx.xps-ethernetlite',
  lan9118: 'lan9118',
  lan91c111: 'smc91c111',
  mipsnet: 'mipsnet',
  fec: 'imx.enet',
  dwc_gmac: 'dwgmac',
  usbnet: 'usb-net',
  cadence_gem: 'cadence_gem',
  sc64_tulip: 'tulip-sc64',
};

/** NICs that are plugged in with `-device` (PCI or USB); the others are part of the board. */
const DEVICE_NICS = new Set(['e1000', 'ne2k_pci', 'rtl8139', 'virtio-net-pci', 'usb-net']);

export { SUPPORTED_EMBOX_ARCHES };

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function preprocessConf(confDir: string, name: string): Promise<string> {
  const file = path.join(confDir, name);
  if (!(await exists(file)))
    throw new Error(
      `${file} not found: expected Embox's ${name} in the conf folder (run "make confload-<template>" first)`,
    );
  return preprocessFile(file, { includeDirs: [confDir] });
}

/** `NAME = value` (or :=, ?=) from make-syntax text; the first assignment wins. */
function makeVariable(text: string, name: string): string | undefined {
  const m = new RegExp(String.raw`^[ \t]*(?:export[ \t]+)?${name}[ \t]*[:?]?=[ \t]*(\S+)[ \t]*$`, 'm').exec(text);
  return m?.[1];
}

function resolveArch(
  arch: string,
  platform: string | undefined,
  buildConf: string,
  ident: ElfIdent | undefined,
  file: string,
): EmboxTarget {
  const found = emboxTarget({
    arch,
    platform,
    bits: ident ? ident.bits : bitsFromFlags(buildConf),
    // MIPS defaults to big-endian unless the flags say -EL; the others are little-endian
    littleEndian: ident ? ident.littleEndian : arch !== 'mips' || /(^|\s)-EL\b/m.test(buildConf),
  });
  if ('reason' in found) throw new Error(`${file}: ${found.reason}`);
  return found.target;
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** RAM region size from preprocessed lds.conf text, in MiB rounded up. */
export function ramMbFromLds(lds: string, file = 'lds.conf'): number {
  const m =
    /^[ \t]*RAM[ \t]*\([ \t]*(?:0[xX][0-9a-fA-F]+|\d+)[ \t]*,[ \t]*(0[xX][0-9a-fA-F]+|\d+)[ \t]*([KMG]?)[ \t]*\)/m.exec(
      lds,
    );
  if (!m) {
    throw new Error(
      `${file}: no RAM region found; expected a line like "RAM (0x00100000, 256M)" (origin, size with K/M/G suffix), or set "memory"`,
    );
  }
  const bytes = Number(m[1]) * SIZE_UNITS[m[2] ?? '']!;
  if (!(bytes > 0)) throw new Error(`${file}: RAM region has size ${m[1]}${m[2]}; expected a positive size`);
  return Math.ceil(bytes / 1024 ** 2);
}

/** Embox NIC driver names included by mods.conf (embox.driver.net.<name>), in order, loopback excluded. */
export function netDriversFromMods(mods: string): string[] {
  const names: string[] = [];
  for (const m of mods.matchAll(/\binclude[ \t]+embox\.driver\.net\.([A-Za-z0-9_]+)(?![\w.])/g)) {
    const name = m[1]!;
    if (name !== 'loopback' && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The first included NIC driver that QEMU can emulate (auto_qemu takes the first non-loopback one). */
export function nicFromMods(mods: string, file = 'mods.conf'): { emboxNic: string; nic: string } {
  const drivers = netDriversFromMods(mods);
  const known = drivers.find((d) => EMBOX_NIC_TO_QEMU[d] !== undefined);
  if (known) return { emboxNic: known, nic: EMBOX_NIC_TO_QEMU[known]! };
  if (drivers.length === 0) {
    throw new Error(
      `${file}: includes no network driver (embox.driver.net.<name> other than loopback); bootgate needs one to reach httpd, e.g. "include embox.driver.net.virtio"`,
    );
  }
  throw new Error(
    `${file}: network driver(s) ${drivers.map((d) => `embox.driver.net.${d}`).join(', ')} have no QEMU model; ` +
      `expected one of ${Object.keys(EMBOX_NIC_TO_QEMU).join(', ')}`,
  );
}

/** Derives how to boot the Embox build whose conf/ folder is `confDir`. Throws an Error naming the file at fault. */
export async function deriveEmboxRun(confDir: string, options: DeriveOptions = {}): Promise<EmboxRunConfig> {
  if (!(await exists(confDir)))
    throw new Error(
      `${confDir}: conf folder not found (expected an Embox conf/ folder made by "make confload-<template>")`,
    );
  const buildConfFile = path.join(confDir, 'build.conf');
  const buildConf = await preprocessConf(confDir, 'build.conf');
  const arch = makeVariable(buildConf, 'ARCH');
  if (!arch) throw new Error(`${buildConfFile}: no "ARCH = <arch>" line; expected e.g. "ARCH = x86"`);
  const platform = makeVariable(buildConf, 'PLATFORM');
  const ident = options.image ? await readElfIdent(options.image) : undefined;
  const archInfo = resolveArch(arch, platform, buildConf, ident, buildConfFile);

  const memoryMb = ramMbFromLds(await preprocessConf(confDir, 'lds.conf'), path.join(confDir, 'lds.conf'));
  const mods = await preprocessConf(confDir, 'mods.conf');

  const incFile = path.join(confDir, 'system_start.inc');
  const commands = (await exists(incFile))
    ? startCommandsFromInc(await preprocessFile(incFile, { includeDirs: [confDir] }))
    : [];
  const ready = httpdReadyMarker(commands);

  // Without httpd there is nothing to probe: no NIC, and the shell prompt is the ready point.
  let network: EmboxNetwork | null = null;
  if (ready.startScriptMentionsHttpd) {
    const { emboxNic, nic } = nicFromMods(mods, path.join(confDir, 'mods.conf'));
    const networkFile = path.join(confDir, 'rootfs', 'network');
    let networkText: string;
    try {
      networkText = await readFile(networkFile, 'utf8');
    } catch {
      throw new Error(
        `${networkFile} not found: expected the guest's interfaces file (iface eth0 inet static, address, netmask, gateway, hwaddress)`,
      );
    }
    const iface = parseNetworkFile(networkText, networkFile);
    const net = iface.netmask
      ? networkCidr(iface.address, prefixFromMask(iface.netmask, `${networkFile}: netmask`), networkFile)
      : undefined;
    network = {
      nic,
      emboxNic,
      nicOnBoard: !DEVICE_NICS.has(nic),
      ...(iface.hwaddress ? { mac: iface.hwaddress } : {}),
      guestIp: iface.address,
      ...(iface.gateway ? { gateway: iface.gateway } : {}),
      ...(net ? { net } : {}),
      guestPort: EMBOX_HTTPD_PORT,
    };
  }

  return {
    arch,
    ...(platform ? { platform } : {}),
    qemu: archInfo.qemu,
    ...(archInfo.machine ? { machine: archInfo.machine } : {}),
    ...(archInfo.cpu ? { cpu: archInfo.cpu } : {}),
    loader: archInfo.loader,
    memoryMb,
    network,
    startMarker: EMBOX_START_MARKER,
    readyMarker: ready.startScriptMentionsHttpd ? ready.readyMarker : shellPromptMarker(mods),
    startScriptMentionsHttpd: ready.startScriptMentionsHttpd,
    startCommands: commands,
  };
}

/** A GuestSpec for the boot stage: loader, machine, CPU and NIC attachment as derived. */
export function emboxGuestSpec(run: EmboxRunConfig, kernel: string, overrides: Partial<GuestSpec> = {}): GuestSpec {
  const net = run.network;
  return {
    qemu: run.qemu,
    ...(run.machine ? { machine: run.machine } : {}),
    memoryMb: run.memoryMb,
    kernel,
    loader: run.loader,
    network: net
      ? {
          nic: net.nic,
          attach: net.nicOnBoard ? 'board' : 'device',
          ...(net.mac ? { mac: net.mac } : {}),
          ...(net.net ? { net: net.net } : {}),
          ...(net.gateway ? { gateway: net.gateway } : {}),
          guestIp: net.guestIp,
          guestPort: net.guestPort,
        }
      : null,
    httpPath: GUEST_DEFAULTS.httpPath,
    extraArgs: run.cpu ? ['-cpu', run.cpu] : [],
    startMarker: run.startMarker,
    readyMarker: run.readyMarker,
    moduleMarker: DEFAULT_MODULE_MARKER,
    timeoutMs: GUEST_DEFAULTS.timeoutMs,
    ...overrides,
  };
}
