/**
 * The JSON configuration a Rumprun hw guest reads from its multiboot command line (QEMU
 * `-append`). Rumprun's parser (lib/librumprun_base/config.c) skips to the first "{", then knows
 * these keys: "net" {if, type, method, addr, mask, gw} and "cmdline" (the program's argv as one
 * string, argv[0] first, split on blanks by rumprun_parseargs). Pure.
 */
export interface RumprunConfigOptions {
  guestIp: string;
  /** prefix length, e.g. 24 (rumprun reads it with atoi) */
  mask: number | string;
  gateway?: string;
  /** NetBSD interface name: vioif0 for virtio-net-pci, wm0 for e1000 */
  iface?: string;
  /** argv of the baked program; argv[0] is its name (e.g. ["httpd"] or ["httpd", "8080"]) */
  argv?: string[];
  /**
   * false: leave "net" out, so the interface attaches but is not configured (deterministic mode:
   * see RUMPRUN_DETERMINISTIC_NOTE). Default true.
   */
  configureNetwork?: boolean;
}

/**
 * Why a deterministic Rumprun boot leaves its interface unconfigured. Rumprun's x86 clock
 * (platform/hw/arch/x86/clock.c) converts TSC ticks to ns with a 32-bit 0.32 fixed-point
 * multiplier, 2^32 · 10^9 / (TSC Hz), which only fits when the TSC runs faster than 1 GHz. Under
 * -icount QEMU's TSC is the virtual clock in ns, exactly 1 GHz, and the PIT calibration lands a
 * hair below (999,986,970 Hz): the multiplier wraps from 4,295,023,260 to 55,964 and the guest's
 * monotonic clock runs 76,746 times slow. Nothing before `accept` waits on that clock except the
 * static network configuration, which pauses 50 ms after setting the address
 * (buildrump.sh/brlib/libnetconfig/netconfig.c, kpause "ramasee"): over an hour of virtual time,
 * in PIT one-shots of at most 55 ms each. The same QEMU 7.2 and 10.0.
 */
export const RUMPRUN_DETERMINISTIC_NOTE =
  'deterministic mode boots Rumprun without its network configuration (the interface attaches but gets no address): ' +
  "under -icount Rumprun's TSC clock runs 76,746 times slow (its 32-bit TSC multiplier overflows at a 1 GHz TSC), " +
  'so the 50 ms pause of the static configuration would not end';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// rumprun_parseargs honours quotes and backslashes, and the JSON string is not unescaped by the
// guest, so only plain words can be passed through unchanged.
const PLAIN_ARG = /^[^\s"'\\\x00-\x1f{}]+$/;

export function rumprunConfigJson(options: RumprunConfigOptions): string {
  const { guestIp, gateway } = options;
  const iface = options.iface ?? 'vioif0';
  const argv = options.argv ?? ['httpd'];
  if (!IPV4.test(guestIp))
    throw new Error(`rumprun config: guest IP "${guestIp}" is not an IPv4 address like 10.0.2.15`);
  if (gateway !== undefined && !IPV4.test(gateway)) {
    throw new Error(`rumprun config: gateway "${gateway}" is not an IPv4 address like 10.0.2.2`);
  }
  const mask = String(options.mask);
  if (!/^\d{1,2}$/.test(mask) || Number(mask) > 32) {
    throw new Error(`rumprun config: mask "${mask}" is not a prefix length 0-32 (e.g. 24)`);
  }
  if (!/^[a-z]+\d+$/.test(iface))
    throw new Error(`rumprun config: interface "${iface}" is not a NetBSD interface name like vioif0`);
  if (argv.length === 0)
    throw new Error('rumprun config: argv is empty; expected at least the program name, e.g. ["httpd"]');
  for (const arg of argv) {
    if (!PLAIN_ARG.test(arg)) {
      throw new Error(
        `rumprun config: argument "${arg}" must be a non-empty word without blanks, quotes, backslashes or braces`,
      );
    }
  }
  const net: Record<string, string> = { if: iface, type: 'inet', method: 'static', addr: guestIp, mask };
  if (gateway !== undefined) net.gw = gateway;
  if (options.configureNetwork === false) return JSON.stringify({ cmdline: argv.join(' ') });
  return JSON.stringify({ net, cmdline: argv.join(' ') });
}

/** NetBSD's name for the first interface of a QEMU NIC model, as Rumprun's hw drivers attach it. */
export function rumprunInterfaceForNic(nic: string): string {
  switch (nic) {
    case 'virtio-net-pci':
      return 'vioif0';
    case 'e1000':
      return 'wm0';
    default:
      throw new Error(
        `rumprun: no known interface name for NIC "${nic}"; expected virtio-net-pci (vioif0) or e1000 (wm0)`,
      );
  }
}
