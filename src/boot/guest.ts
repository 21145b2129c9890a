/**
 * How to boot one guest: everything the boot stage needs, already resolved by the build stage.
 * Pure data, so a results document can record it and a test can build it by hand.
 */
export interface GuestNetwork {
  /** QEMU NIC model, e.g. virtio-net-pci, e1000, ne2k_pci, smc91c111 */
  nic: string;
  /**
   * device (default): a pluggable NIC, `-device <nic>,netdev=n0`; board: the machine's own NIC
   * (e.g. integratorcp's smc91c111), which QEMU connects with `-net nic,netdev=n0,model=<nic>`
   */
  attach?: 'device' | 'board';
  mac?: string;
  /** slirp network, e.g. 10.0.2.0/24 */
  net?: string;
  /** slirp's own address (the guest's gateway), e.g. 10.0.2.2 */
  gateway?: string;
  guestIp: string;
  guestPort: number;
}

export interface GuestSpec {
  /** QEMU system emulator binary, e.g. qemu-system-i386 */
  qemu: string;
  machine?: string;
  memoryMb: number;
  kernel: string;
  /** how QEMU loads `kernel`: -kernel (default) or, for firmware-style images (Embox on RISC-V virt), -bios */
  loader?: 'kernel' | 'bios';
  initrd?: string;
  append?: string;
  /** null: no NIC and no HTTP probe (the ready marker ends the boot) */
  network: GuestNetwork | null;
  /** path of the HTTP GET that proves readiness */
  httpPath: string;
  extraArgs: string[];
  startMarker: string;
  readyMarker: string;
  /** capture group 1 is the module's name; null: no per-module breakdown */
  moduleMarker: string | null;
  timeoutMs: number;
  /** run QEMU on this host CPU only (taskset) */
  pinCpu?: number;
}

/** Embox's per-module line, `(unit) initializing <module>`, and the fixtures' that imitate it. */
export const DEFAULT_MODULE_MARKER = String.raw`\(unit\) initializing (\S+)`;

/**
 * What a guest gets when neither its settings nor its build say otherwise; the guest address,
 * gateway and mask are QEMU user networking's own (guest 10.0.2.15, slirp 10.0.2.2, /24).
 */
export const GUEST_DEFAULTS = {
  qemu: 'qemu-system-x86_64',
  memoryMb: 128,
  nic: 'virtio-net-pci',
  guestIp: '10.0.2.15',
  gateway: '10.0.2.2',
  mask: 24,
  guestPort: 80,
  httpPath: '/',
  timeoutMs: 60_000,
} as const;

/**
 * Properties that make a virtio NIC's work happen at exact instruction counts: with ioeventfd
 * on, QEMU's main loop (host-timed) picks up the guest's queue notifications, and a `tx=bh`
 * transmit completes in a main-loop bottom half; off and `tx=timer`, both run in the vCPU
 * thread and on the virtual clock.
 */
export const DETERMINISTIC_VIRTIO_NET = ['ioeventfd=off', 'tx=timer'];

/**
 * The QEMU argument array for one boot (no shell ever sees it). A guest with a network and no
 * host port gets its NIC with no backend at all (deterministic mode): nothing it sends goes
 * anywhere and nothing reaches it, because a packet arrives at a host-chosen instruction count.
 */
export function buildQemuArgs(
  spec: GuestSpec,
  hostPort: number | null,
  extra: string[] = [],
  serialFile?: string,
): string[] {
  const args = ['-accel', 'tcg', '-m', String(spec.memoryMb)];
  if (spec.machine) args.push('-machine', spec.machine);
  // A file never pushes back on the guest's UART; a pipe can (see bootOnce).
  args.push(
    '-display',
    'none',
    '-vga',
    'none',
    '-monitor',
    'none',
    '-serial',
    serialFile ? `file:${serialFile}` : 'stdio',
    '-no-reboot',
  );
  args.push(spec.loader === 'bios' ? '-bios' : '-kernel', spec.kernel);
  if (spec.initrd) args.push('-initrd', spec.initrd);
  if (spec.append !== undefined && spec.append !== '') args.push('-append', spec.append);
  const net = spec.network;
  if (net && hostPort !== null) {
    const netdev = ['user', 'id=n0'];
    if (net.net) netdev.push(`net=${net.net}`);
    if (net.gateway) netdev.push(`host=${net.gateway}`);
    netdev.push(`hostfwd=tcp:127.0.0.1:${hostPort}-${net.guestIp}:${net.guestPort}`);
    args.push('-netdev', netdev.join(','));
    if (net.attach === 'board')
      args.push('-net', ['nic', 'netdev=n0', `model=${net.nic}`, ...(net.mac ? [`macaddr=${net.mac}`] : [])].join(','));
    else args.push('-device', [net.nic, 'netdev=n0', ...(net.mac ? [`mac=${net.mac}`] : [])].join(','));
  } else if (net) {
    // -nic none: no default NIC on user networking next to ours ("nic … has no peer" is expected)
    args.push('-nic', 'none');
    if (net.attach === 'board') {
      args.push('-net', ['nic', `model=${net.nic}`, ...(net.mac ? [`macaddr=${net.mac}`] : [])].join(','));
    } else {
      const virtio = /^virtio-net/.test(net.nic) ? DETERMINISTIC_VIRTIO_NET : [];
      args.push('-device', [net.nic, ...(net.mac ? [`mac=${net.mac}`] : []), ...virtio].join(','));
    }
  } else {
    args.push('-nic', 'none');
  }
  args.push(...spec.extraArgs, ...extra);
  return args;
}

/** The command actually executed: QEMU, optionally under taskset for pinning. */
export function qemuCommand(spec: GuestSpec, args: string[]): { file: string; args: string[] } {
  if (spec.pinCpu !== undefined) return { file: 'taskset', args: ['-c', String(spec.pinCpu), spec.qemu, ...args] };
  return { file: spec.qemu, args };
}
